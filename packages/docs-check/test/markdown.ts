/**
 * The TypeScript code blocks of a Markdown document, as a reader copies
 * them: every ```ts (or ```typescript) fence, indented ones in lists
 * included (the indentation is removed). A block whose nearest non-blank
 * line above is `<!-- not run: <why> -->` is marked not runnable, with the
 * reason.
 */

export interface Snippet {
  /** The document, as given (a path relative to the repository's root). */
  readonly doc: string
  /** The 1-based line of the opening fence. */
  readonly line: number
  readonly code: string
  /** Why the block is not run, when it is marked so. */
  readonly notRun?: string
}

const fenceOpen = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/
const notRunMarker = /^\s*<!--\s*not run:\s*(.*?)\s*-->\s*$/
const languages = new Set(["ts", "typescript"])

export const snippetsOf = (markdown: string, doc: string): Array<Snippet> => {
  const lines = markdown.split("\n")
  const out: Array<Snippet> = []
  let i = 0
  while (i < lines.length) {
    const open = fenceOpen.exec(lines[i]!)
    if (open === null) {
      i++
      continue
    }
    const [, indent = "", fence = "", language = ""] = open
    const close = new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`)
    const start = i
    const body: Array<string> = []
    i++
    while (i < lines.length && !close.test(lines[i]!)) {
      const text = lines[i]!
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart())
      i++
    }
    i++ // past the closing fence
    if (!languages.has(language.toLowerCase())) continue
    let above = start - 1
    while (above >= 0 && lines[above]!.trim() === "") above--
    const marker = above >= 0 ? notRunMarker.exec(lines[above]!) : null
    out.push({
      doc,
      line: start + 1,
      code: `${body.join("\n")}\n`,
      ...(marker === null ? {} : { notRun: marker[1] ?? "" })
    })
  }
  return out
}

/**
 * What a runnable block must not hold: a placeholder a reader would have to
 * fill in before the code runs (`/* ... *\/`, `// ...`, `<id>` in a string).
 */
export const placeholdersIn = (code: string): Array<string> =>
  [
    ...code.matchAll(
      /\/\*\s*\.\.\.?\s*\*\/|\/\/\s*\.\.\.|\{\s*\.\.\.\s*\}|["'`][^"'`\n]*<[a-z][\w-]*>[^"'`\n]*["'`]/g
    )
  ].map((m) => m[0])

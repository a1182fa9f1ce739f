import { describe, expect, it } from "vitest"
import { placeholdersIn, snippetsOf } from "./markdown.js"

const fence = "```"

describe("snippetsOf", () => {
  it("takes ts and typescript blocks, with their line, and leaves the others", () => {
    const md = [
      "# Title",
      `${fence}sh`,
      "npm install opstatus",
      fence,
      `${fence}ts`,
      'import { waitForSuccess } from "opstatus"',
      fence,
      `${fence}typescript`,
      "console.log(1)",
      fence,
      `${fence}json`,
      "{}",
      fence
    ].join("\n")
    expect(snippetsOf(md, "doc.md")).toEqual([
      { doc: "doc.md", line: 5, code: 'import { waitForSuccess } from "opstatus"\n' },
      { doc: "doc.md", line: 8, code: "console.log(1)\n" }
    ])
  })

  it("removes the indentation of a block in a list item", () => {
    const md = [
      "1. **A tracked client.**",
      "",
      `   ${fence}ts`,
      "   const a = 1",
      "     + 2",
      `   ${fence}`
    ].join("\n")
    expect(snippetsOf(md, "d")[0]?.code).toBe("const a = 1\n  + 2\n")
  })

  it("marks a block not run only when the marker is the nearest non-blank line above it", () => {
    const md = [
      "<!-- not run: needs an AWS account -->",
      "",
      `${fence}ts`,
      "a()",
      fence,
      "<!-- not run: too far -->",
      "Some text.",
      `${fence}ts`,
      "b()",
      fence
    ].join("\n")
    const [first, second] = snippetsOf(md, "d")
    expect(first?.notRun).toBe("needs an AWS account")
    expect(second?.notRun).toBeUndefined()
  })

  it("does not end a block at a shorter fence inside it", () => {
    const md = ["````md", `${fence}ts`, "x()", fence, "````", `${fence}ts`, "y()", fence].join("\n")
    expect(snippetsOf(md, "d").map((s) => s.code)).toEqual(["y()\n"])
  })
})

describe("placeholdersIn", () => {
  it("finds what a reader would have to fill in", () => {
    expect(placeholdersIn("new CreateInstancesCommand({\n  /* ... */\n})")).toEqual(["/* ... */"])
    expect(placeholdersIn("await f() // ...")).toEqual(["// ..."])
    expect(placeholdersIn('await waitForSuccess("lightsail:us-east-1:<id>")')).toEqual([
      '"lightsail:us-east-1:<id>"'
    ])
    expect(placeholdersIn("f({ ... })")).toEqual(["{ ... }"])
  })

  it("leaves spreads and comments alone", () => {
    expect(placeholdersIn("const all = [...a, ...b]\nconst o = { ...x } // merged")).toEqual([])
  })
})

/**
 * The light part of the CLI: reading flags in the CLI's own words (an unknown flag with
 * the closest of the command's flags, a flag without its value, a duration split over two
 * arguments), the service catalog the help reads against the adapters' declarations,
 * each command's exit codes in its help, and the mark of rows a Ctrl-C interrupted.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import {
  catalog,
  closest,
  commandFlags,
  commandHelp,
  defaultPolicyOf,
  docsUrl,
  editDistance,
  findService,
  formatError,
  interruptedMark,
  listFlags,
  mainHelp,
  makeEntry,
  parseCommand,
  parseFlags,
  renderLiveTable,
  run,
  serviceSlugOf,
  services,
  UsageError,
  usageError,
  waitFlags
} from "../src/index.js"
import { runInProcess } from "./helpers.js"

/** The one line a flag problem is shown as, or `undefined` when the arguments are fine. */
const problemOf = (command: string, args: ReadonlyArray<string>): string | undefined => {
  const result = parseFlags(command, args, commandFlags[command]!)
  return "problem" in result
    ? formatError(usageError(result.problem.message, result.problem.hint))
    : undefined
}

describe("edit distance and suggestions", () => {
  it("counts insertions, deletions, substitutions and swaps, in any case", () => {
    expect(editDistance("timout", "timeout")).toBe(1)
    expect(editDistance("regoin", "region")).toBe(1)
    expect(editDistance("JSON", "json")).toBe(0)
    expect(editDistance("", "abc")).toBe(3)
    expect(editDistance("kitten", "sitting")).toBe(3)
  })

  it("suggests only what is close, all of the closest", () => {
    expect(closest("timout", ["timeout", "json"])).toEqual(["timeout"])
    expect(closest("xyzzy", ["timeout", "json", "region"])).toEqual([])
    expect(closest("mn-delay", ["min-delay", "max-delay"])).toEqual(["min-delay"])
    expect(closest("m-delay", ["min-delay", "max-delay"])).toEqual(["min-delay", "max-delay"])
    // A short word must be nearly right.
    expect(closest("jsn", ["json"])).toEqual(["json"])
    expect(closest("js", ["json"])).toEqual([])
  })
})

describe("flags", () => {
  it("an unknown flag: the command's closest flag, the commands that have it, or its help", () => {
    expect(problemOf("wait", ["--timout", "5m", "x"])).toBe(
      "opstatus: unknown option --timout. Did you mean --timeout? Run opstatus wait --help to see its options."
    )
    expect(problemOf("list", ["lightsail", "--regoin=us-east-1"])).toMatch(
      /^opstatus: unknown option --regoin\. Did you mean --region\?/
    )
    expect(problemOf("list", ["lightsail", "--success"])).toBe(
      "opstatus: unknown option --success. It is an option of wait, watch and get, not of list. Run opstatus list --help to see its options."
    )
    expect(problemOf("get", ["--xyzzy"])).toBe(
      "opstatus: unknown option --xyzzy. Run opstatus get --help to see its options."
    )
    expect(problemOf("wait", ["-x"])).toBe(
      "opstatus: unknown option -x. Run opstatus wait --help to see its options."
    )
    // After --, anything is a positional.
    expect(problemOf("wait", ["--", "--timout"])).toBeUndefined()
  })

  it("a flag without its value, and a value given to a switch", () => {
    expect(problemOf("wait", ["--timeout"])).toBe("opstatus: --timeout needs a value. Write --timeout 10m.")
    expect(problemOf("list", ["lightsail", "--since"])).toBe(
      "opstatus: --since needs a value. Write --since 1h."
    )
    expect(problemOf("wait", ["--timeout", "--json", "x"])).toMatch(
      /^opstatus: --timeout needs a value, but the next argument is --json\. .*--timeout=<value>\.$/
    )
    expect(problemOf("wait", ["--json=yes"])).toBe("opstatus: --json takes no value. Write --json alone.")
    // A value that starts with a dash, given inline; and - (standard input) after a flag's value.
    expect(problemOf("list", ["lightsail", "--resource=-web"])).toBeUndefined()
    expect(problemOf("wait", ["--timeout", "5m", "-"])).toBeUndefined()
  })

  it("a duration flag's value is checked before anything runs, naming the flag", () => {
    expect(problemOf("wait", ["--timeout", "soon", "x"])).toMatch(
      /^opstatus: --timeout "soon" is not a duration\./
    )
    expect(problemOf("wait", ["--min-delay", "0s", "x"])).toMatch(
      /^opstatus: --min-delay must be greater than zero\./
    )
    expect(problemOf("list", ["lightsail", "--since", "2024-13-45"])).toMatch(
      /^opstatus: --since "2024-13-45" is not a valid date\./
    )
  })

  it("a duration split over two arguments is never read as a ref", () => {
    // German for seconds: not a unit, said so, naming the flag.
    expect(problemOf("wait", ["--timeout", "5", "sekunden", "lightsail:us-east-1:x"])).toBe(
      'opstatus: --timeout 5 sekunden is not a duration ("sekunden" is not a unit of time). Use a number with a unit, like 500ms, 30s, 5m, 1h30m, or "5 seconds" (a bare number is seconds); quote a duration of several words.'
    )
    expect(problemOf("wait", ["--timeout", "5", "seconds", "x"])).toBe(
      'opstatus: --timeout takes its duration as one argument, but got 5 seconds. Write --timeout 5s, or quote it: --timeout "5 seconds".'
    )
    expect(problemOf("wait", ["--timeout=1h", "30m", "x"])).toMatch(/Write --timeout 90m, or quote it/)
    expect(problemOf("list", ["lightsail", "--since", "2", "hours"])).toMatch(
      /^opstatus: --since takes its duration as one argument, but got 2 hours\. Write --since 2h/
    )
    // What follows a duration and is no part of one is left alone: a service, a ref, -.
    expect(problemOf("list", ["--timeout", "30", "lightsail"])).toBeUndefined()
    expect(problemOf("list", ["--timeout", "30", "CloudMap"])).toBeUndefined()
    expect(problemOf("wait", ["--timeout", "5", "lightsail:us-east-1:x"])).toBeUndefined()
    expect(
      problemOf("wait", ["--max-delay", "5", "gv4g5meo7ndmeh4fqskygvk23d2fijwa-k9302yzd"])
    ).toBeUndefined()
    expect(problemOf("wait", ["--timeout", "5 seconds", "x"])).toBeUndefined()
    expect(problemOf("wait", ["--timeout", "5m", "abc"])).toBeUndefined()
  })

  it("reads the values as parseArgs does, and Args throws what is wrong as a UsageError", () => {
    const result = parseFlags(
      "list",
      ["ssm-sap", "--status", "failed", "--status=SUCCESS", "--json"],
      listFlags
    )
    expect(result).toEqual({
      parsed: { values: { status: ["failed", "SUCCESS"], json: true }, positionals: ["ssm-sap"] }
    })
    expect(() => parseCommand("wait", ["--timout"], waitFlags)).toThrow(UsageError)
  })
})

describe("the catalog the help reads", () => {
  it("is the adapters' declarations: order, slugs, titles, default policies; aliases find them", () => {
    expect(catalog.map((entry) => entry.service)).toEqual(services.map((info) => info.service))
    for (const [i, entry] of catalog.entries()) {
      const info = services[i]!
      expect(entry.title).toBe(info.title)
      const policy = defaultPolicyOf(info)
      expect(entry.defaults).toEqual({
        timeoutMillis: policy.timeoutMillis,
        minDelayMillis: policy.minDelayMillis,
        maxDelayMillis: policy.maxDelayMillis
      })
      for (const alias of [entry.service, ...entry.aliases, entry.service.toUpperCase()]) {
        expect(serviceSlugOf(alias), alias).toBe(entry.service)
        expect(findService(alias)?.service, alias).toBe(entry.service)
      }
    }
    expect(serviceSlugOf("cloud-map")).toBe("servicediscovery")
    expect(serviceSlugOf("ec2")).toBeUndefined()
  })
})

describe("help", () => {
  it("each command's help has its own exit codes", () => {
    const wait = commandHelp.wait!
    const list = commandHelp.list!
    const get = commandHelp.get!
    expect(wait).toContain("3    the wait timed out (--timeout)")
    expect(wait).toMatch(
      /0 {4}every operation ended: without --success whatever the outcome, with it every one\s+succeeded/
    )
    expect(commandHelp.watch).toContain("3    the wait timed out (--timeout)")
    expect(get).toContain("3    a read got no answer within --timeout")
    expect(get).toMatch(/for get|still running/)
    expect(list).toContain("0    the operations were listed (finding none is no error)")
    expect(list).toContain("1    a request to the service failed")
    expect(list).not.toContain("--success")
    expect(list).not.toContain("wait timed out")
    for (const text of [mainHelp, wait, list, get, commandHelp.watch!]) {
      expect(text).toContain("141  standard output was closed by its reader")
      expect(text).toContain("143  stopped by SIGTERM")
    }
    expect(commandHelp.demo).toMatch(/141 when standard output was closed/)
  })

  it("points at the docs by URL, not at a file the package does not ship", () => {
    expect(mainHelp).toContain(`Docs: ${docsUrl}`)
    expect(commandHelp.list).toContain(`Docs: ${docsUrl}#list-service`)
    expect(mainHelp).not.toMatch(/Docs: docs\//)
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      readonly files?: ReadonlyArray<string>
      readonly repository?: { readonly url?: string } | string
    }
    // The doc is not in the package: the URL is the way to it, on the project's repository when it names one.
    expect(pkg.files ?? []).not.toContain("docs")
    const repository = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url
    const base = (repository ?? "https://github.com/opstatus/opstatus")
      .replace(/^git\+/, "")
      .replace(/\.git$/, "")
    expect(docsUrl.startsWith(`${base}/`)).toBe(true)
  })

  it("the help of a command and of help <command> are the same, and load no command", async () => {
    const [viaFlag, viaHelp] = await Promise.all([
      runInProcess(["list", "--help"]),
      runInProcess(["help", "list"])
    ])
    expect(viaFlag.code).toBe(0)
    expect(viaFlag.stdout).toBe(viaHelp.stdout)
    expect(viaFlag.stdout).toBe(`${commandHelp.list}\n`)
  })

  it("suggests the command meant", async () => {
    const io = { stderr: "" }
    const code = await run(["wiat"], {
      stdin: async function* () {},
      stdout: { write: () => true },
      stderr: { write: (s: string) => (io.stderr += s) },
      env: {},
      isTTY: false,
      signal: new AbortController().signal
    })
    expect(code).toBe(2)
    expect(io.stderr).toBe(
      'opstatus: unknown command "wiat". Did you mean wait? Run opstatus --help to see the commands.\n'
    )
  })
})

describe("the live table after Ctrl-C", () => {
  it("marks the rows still running as interrupted, not with a frozen spinner", () => {
    const ref = { service: "lightsail", region: "us-east-1", id: "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d" }
    const running = makeEntry(ref, 0)
    const ended = makeEntry({ ...ref, id: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a" }, 0)
    ended.operation = {
      ref: ended.ref,
      status: "succeeded",
      terminal: true,
      rawStatus: "Completed",
      resource: { name: "web-1" },
      region: "us-east-1",
      raw: {}
    }
    ended.endedAt = 1_000
    const options = { color: false, frame: 3, now: 5_000, width: 120 }
    const [, live] = renderLiveTable([running], options)
    expect(live).toMatch(/^⠸ /)
    const [, stopped, done] = renderLiveTable([running, ended], { ...options, interrupted: true })
    expect(stopped).toMatch(
      new RegExp(`^${interruptedMark}\\s+lightsail\\s.*waiting\\s+5\\.0s\\s+interrupted$`)
    )
    expect(done).toMatch(/^✔\s+lightsail\s.*succeeded \(Completed\)\s+1\.0s\s+web-1$/)
  })
})

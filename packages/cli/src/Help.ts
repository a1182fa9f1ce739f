/**
 * The help texts. What they say about the services (names, titles, default timings)
 * comes from the services' own declarations.
 *
 * @since 0.1.0
 */
import { formatDurationShort } from "./Duration.js"
import { defaultPolicyOf, services, slugList } from "./Services.js"

/**
 * The CLI's version (kept equal to package.json by a test).
 *
 * @since 0.1.0
 * @category formatting
 */
export const version = "0.1.0"

const flagColumn = 26
const helpWidth = 90

/** An option line: the flag, then its description wrapped under itself. */
const option = (flag: string, description: string): string => {
  const lines: string[] = []
  let line = `  ${flag}`.padEnd(flagColumn)
  let empty = true
  for (const word of description.split(" ")) {
    if (!empty && line.length + 1 + word.length > helpWidth) {
      lines.push(line)
      line = " ".repeat(flagColumn)
      empty = true
    }
    line += empty ? word : ` ${word}`
    empty = false
  }
  lines.push(line)
  return lines.join("\n")
}

/** Each service's default of a policy field: `lightsail 30m, servicediscovery 5m, ssm-sap 1h`. */
const perService = (field: "timeoutMillis" | "minDelayMillis" | "maxDelayMillis"): string =>
  services.map((info) => `${info.service} ${formatDurationShort(defaultPolicyOf(info)[field])}`).join(", ")

const awsFlags = `AWS options:
  --region <code>         Region of refs and responses that do not name one
                          (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)
  --profile <name>        Profile for credentials and region (default: AWS_PROFILE)
  --endpoint-url <url>    Send requests here (default: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL)`

const outputFlags = `Output options:
  --json                  One JSON object per line (NDJSON), ending with a "done" event
  --no-color              No colour (also NO_COLOR=1); TERM=dumb prints plain lines
  --debug                 Show the stack of an unexpected error
  -h, --help              Show this help`

const refForms = `Refs:
  service:region:id       e.g. lightsail:us-east-1:<uuid>,
                          servicediscovery:us-east-1:<32 chars>-<8 chars>, ssm-sap:eu-west-1:<uuid>
  <id>                    a bare ID: Cloud Map IDs are recognised; others need --service
  -                       read standard input: refs one per line, or JSON (one document,
                          several concatenated, or NDJSON), or a mutating call's response as
                          the AWS CLI prints it: Lightsail {"operations": [...]}, Cloud Map
                          {"OperationId": ...}, SSM for SAP {"OperationId"|"OperationIds": ...}`

const serviceOption = option(
  "--service <service>",
  `The service of bare IDs and OperationId responses: ${slugList()}`
)

const waitTiming = `Waiting options:
  --success               Exit 1 when an operation did not succeed: failed, cancelled, or
                          ended with a status opstatus does not know
${option("--timeout <duration>", `Give up after this long (default per service: ${perService("timeoutMillis")})`)}
${option("--min-delay <duration>", `Shortest pause between polls (default per service: ${perService("minDelayMillis")})`)}
${option("--max-delay <duration>", `Longest pause between polls (default per service: ${perService("maxDelayMillis")})`)}
${serviceOption}
Durations: 500ms, 30s, 5m, 1h30m, "5 seconds"; a bare number is seconds.`

const exitCodes = `Exit codes:
  0    every operation succeeded (without --success: every operation ended)
  1    an operation did not succeed (with --success), was not found, or the service
       answered an error
  2    bad usage: unknown flag, bad ref, duration or query
  3    a wait timed out, or get or list got no answer within --timeout
  4    access denied, or no valid credentials (an unknown --profile)
  130  interrupted (Ctrl-C)
  143  stopped by SIGTERM
When several apply the first in this order wins: 130 (143), 2, 4, 3, 1, 0.`

/**
 * The help of the whole command.
 *
 * @since 0.1.0
 * @category formatting
 */
export const mainHelp = `opstatus ${version}: wait for AWS asynchronous operations
(${services.map((info) => info.title).join(", ")})

Usage:
  opstatus wait [options] <ref...>      Wait until every operation has ended
  opstatus watch [options] <ref...>     Wait, showing every change (and SSM for SAP steps)
  opstatus get [options] <ref...>       Read operations once
  opstatus list <service> [options]     List a service's operations in a region
  opstatus demo                         Run a demo against a local emulator (no AWS account)
  opstatus help <command>               Show a command's help
  opstatus --version                    Show the version

Examples:
  aws lightsail create-instances ... | opstatus wait -
  aws servicediscovery register-instance ... | opstatus wait --success -
  opstatus wait --timeout 10m lightsail:us-east-1:1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d
  opstatus list servicediscovery --status failed --since 1h

${exitCodes}

Run opstatus <command> --help for a command's options. Docs: docs/cli.md.`

/**
 * Each command's help.
 *
 * @since 0.1.0
 * @category formatting
 */
export const commandHelp: Readonly<Record<string, string>> = {
  wait: `Usage: opstatus wait [options] <ref...>

Waits until every operation has ended. On a terminal it draws a live table; otherwise it
prints one line per status change, then a summary.

${refForms}

${waitTiming}

${awsFlags}

${outputFlags}

Examples:
  aws lightsail create-instances --instance-names a b ... | opstatus wait -
  aws servicediscovery register-instance ... | opstatus wait --success --region us-east-1 -
  opstatus wait --timeout 10m --json ssm-sap:eu-west-1:<operation-id>

${exitCodes}`,
  watch: `Usage: opstatus watch [options] <ref...>

Like wait, but shows every change of every operation, including each SSM for SAP step
(operation event). A failed operation fails the command only with --success.

${refForms}

${waitTiming}

${awsFlags}

${outputFlags}

${exitCodes}`,
  get: `Usage: opstatus get [options] <ref...>

Reads each operation once and prints it.

${refForms}

Options:
  --success               Exit 1 unless every operation succeeded
  --timeout <duration>    Give up after this long (default 60s): exit 3
${serviceOption}

${awsFlags}

${outputFlags}

${exitCodes}`,
  list: `Usage: opstatus list <service> [options]

Lists a service's operations in one region (--region, AWS_REGION, AWS_DEFAULT_REGION or
the profile's region). <service> is ${slugList()}.

Filters:
  --status <status>       Unified (pending, running, succeeded, failed, cancelled, unknown;
                          one the service lacks matches nothing, e.g. Lightsail cancelled)
                          or the service's own (SUCCESS, FAIL, Started...); repeat or
                          comma-separate
  --type <type>           The service's operation type (CreateInstance, REGISTER_INSTANCE,
                          START_APPLICATION...); repeat or comma-separate
  --since <when>          Only operations updated (Cloud Map) or started (Lightsail, SSM for
                          SAP) since then: a date (2024-05-01T12:00Z, UTC unless an offset
                          is given), epoch seconds (1714566896: a number from 10^9), or a
                          duration ago (1h, 30m; a smaller bare number is seconds)
  --resource <name>       Lightsail: the operations of one resource
  --namespace <id>        Cloud Map: the operations of one namespace
  --service-id <id>       Cloud Map: the operations of one service
  --application <id>      SSM for SAP: the application (required for ssm-sap)
  --limit <n>             At most n operations
  --timeout <duration>    Give up after this long (default 5m): exit 3

${awsFlags}

${outputFlags}

Examples:
  opstatus list lightsail --region us-east-1 --resource my-instance
  opstatus list servicediscovery --status failed --since 2h
  opstatus list ssm-sap --application my-hana --type START_APPLICATION --json

${exitCodes}`,
  demo: `Usage: opstatus demo [options]

Starts a local emulator of Lightsail, Cloud Map and SSM for SAP, starts operations on all
three with the real AWS SDK clients (three Lightsail instances and a static IP, a Cloud Map
namespace and two instance registrations, an SSM for SAP application start), and waits for
them. One Cloud Map registration is made to fail on purpose, to show how a failure looks.
Needs no AWS account and no network.

Exits 0 when everything went as designed (that one failure is expected), 130 when
interrupted (143 for SIGTERM), and 1 otherwise.

Options:
  --json                  NDJSON events instead of the table
  --no-color              No colour (also NO_COLOR=1); TERM=dumb prints plain lines
  --debug                 Show the stack of an unexpected error
  -h, --help              Show this help`
}

/**
 * The help texts. What they say about the services (names, titles, default timings)
 * comes from `Catalog`, the copy of the services' own declarations that a test keeps
 * equal to them: the help loads neither core, nor an adapter, nor effect.
 *
 * @since 0.1.0
 */
import { type CatalogEntry, catalog, slugList } from "./Catalog.js"
import { formatDurationShort } from "./Duration.js"

/**
 * The CLI's version (kept equal to package.json by a test).
 *
 * @since 0.1.0
 * @category formatting
 */
export const version = "0.3.0"

/**
 * Where the CLI's documentation is: docs/cli.md of the project, which the package does
 * not ship.
 *
 * @since 0.2.0
 * @category formatting
 */
export const docsUrl = "https://github.com/opstatus/opstatus/blob/main/docs/cli.md"

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
const perService = (field: keyof CatalogEntry["defaults"]): string =>
  catalog.map((entry) => `${entry.service} ${formatDurationShort(entry.defaults[field])}`).join(", ")

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
                          servicediscovery:us-east-1:<32 chars>-<8 chars>, ssm-sap:eu-west-1:<uuid>,
                          cloudformation:us-east-1:<stack-set>/<operation-id>,
                          ecs:us-east-1:<service deployment ARN>,
                          cloudcontrol:us-east-1:<request token>, route53:global:<change id>
  <id>                    a bare ID: Cloud Map IDs and ECS deployment ARNs are recognised;
                          others need --service (CloudFormation: --stack-set)
  -                       read standard input: refs one per line, or JSON (one document,
                          several concatenated, or NDJSON), or a mutating call's response as
                          the AWS CLI prints it: Lightsail {"operations": [...]}, Cloud Map
                          {"OperationId": ...}, SSM for SAP {"OperationId"|"OperationIds": ...},
                          CloudFormation {"OperationId": ...} (with --stack-set), ECS
                          {"service": {"currentServiceDeployment": ...}}, Cloud Control
                          {"ProgressEvent": ...}, Route 53 {"ChangeInfo": ...}`

const serviceOption = option(
  "--service <service>",
  `The service of bare IDs and OperationId responses: ${slugList()}`
)

const stackSetOption = option(
  "--stack-set <name>",
  "CloudFormation: the stack set of bare operation IDs and OperationId responses (the response does not name it)"
)

const waitTiming = `Waiting options:
  --success               Exit 1 when an operation did not succeed: failed, cancelled, or
                          ended with a status opstatus does not know
${option("--timeout <duration>", `Give up after this long (default per service: ${perService("timeoutMillis")})`)}
${option("--min-delay <duration>", `Shortest pause between polls (default per service: ${perService("minDelayMillis")})`)}
${option("--max-delay <duration>", `Longest pause between polls (default per service: ${perService("maxDelayMillis")})`)}
${serviceOption}
${stackSetOption}
Durations: 500ms, 30s, 5m, 1h30m, "5 seconds"; a bare number is seconds.`

const stopped = `  130  interrupted (Ctrl-C)
  141  standard output was closed by its reader (as in | head -1)
  143  stopped by SIGTERM`

const precedence = "When several apply the first in this order wins: 130 (143), 141, 2, 4, 3, 1, 0."

const usage = "2    bad usage: an unknown flag, a flag without its value, a bad ref, duration or --service"

const access = "4    access denied, or no valid credentials (an unknown --profile)"

/** Each command's exit codes, in its help. */
const exitCodesOf = {
  main: `Exit codes:
  0    the command did what was asked: wait and watch, every operation ended (failed ones
       included, unless --success); get, every operation was read; list, the list was read
  1    with --success, an operation did not succeed (failed, cancelled, an unknown status;
       for get also still running); with or without it, an operation was not found, or a
       request to the service failed
  2    bad usage: an unknown command or flag, a bad ref, duration, filter or query
  3    a wait timed out, or get or list got no answer within --timeout
  ${access}
${stopped}
${precedence}`,
  wait: `Exit codes:
  0    every operation ended: without --success whatever the outcome, with it every one
       succeeded
  1    with --success, an operation did not succeed (failed, cancelled, or ended with a
       status opstatus does not know); with or without it, an operation was not found, a
       request to the service failed, or its endpoint could not be reached (said at once;
       the wait ends after 15s of trying again)
  ${usage}
  3    the wait timed out (--timeout)
  ${access}
${stopped}
${precedence}`,
  get: `Exit codes:
  0    every operation was read (with --success: and every one has succeeded)
  1    with --success, an operation has not succeeded (failed, cancelled, an unknown
       status, or still running); with or without it, an operation was not found, or a
       request to the service failed
  ${usage}
  3    a read got no answer within --timeout
  ${access}
${stopped}
${precedence}`,
  cancel: `Exit codes:
  0    every service accepted the cancel (with --wait: and every operation ended cancelled)
  1    a cancel request failed (not found, an operation that has ended, a service error);
       with --wait, an operation ended otherwise than cancelled
  2    bad usage: an unknown flag, a bad ref, duration or --service, or a service that
       cannot cancel its operations
  3    a cancel request got no answer, or the wait did not end, within --timeout
  ${access}
${stopped}
${precedence}`,
  list: `Exit codes:
  0    the operations were listed (finding none is no error)
  1    a request to the service failed
  2    bad usage: an unknown flag, a bad service, filter, duration or --since, no region,
       ssm-sap without --application, cloudformation without --stack-set, ecs without
       --ecs-service, route53, or a query the service rejects
  3    the list got no answer within --timeout
  ${access}
${stopped}`
} as const

/**
 * The help of the whole command.
 *
 * @since 0.1.0
 * @category formatting
 */
export const mainHelp = `opstatus ${version}: wait for AWS asynchronous operations
(${catalog.map((entry) => entry.title).join(", ")})

Usage:
  opstatus wait [options] <ref...>      Wait until every operation has ended
  opstatus watch [options] <ref...>     Wait, showing every change (and SSM for SAP steps)
  opstatus get [options] <ref...>       Read operations once
  opstatus cancel [options] <ref...>    Cancel operations (CloudFormation, ECS, Cloud Control)
  opstatus list <service> [options]     List a service's operations in a region
  opstatus demo                         Run a demo against a local emulator (no AWS account)
  opstatus help <command>               Show a command's help
  opstatus --version                    Show the version

Examples:
  aws lightsail create-instances ... | opstatus wait -
  aws servicediscovery register-instance ... | opstatus wait --success -
  opstatus wait --timeout 10m lightsail:us-east-1:1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d
  opstatus list servicediscovery --status failed --since 1h

${exitCodesOf.main}

Run opstatus <command> --help for a command's options.
Docs: ${docsUrl}`

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

${exitCodesOf.wait}

Docs: ${docsUrl}#wait`,
  watch: `Usage: opstatus watch [options] <ref...>

Like wait, but shows every change of every operation, including each SSM for SAP step
(operation event). A failed operation fails the command only with --success.

${refForms}

${waitTiming}

${awsFlags}

${outputFlags}

${exitCodesOf.wait}

Docs: ${docsUrl}#watch`,
  get: `Usage: opstatus get [options] <ref...>

Reads each operation once and prints it.

${refForms}

Options:
  --success               Exit 1 unless every operation succeeded
  --timeout <duration>    Give up after this long (default 60s): exit 3
${serviceOption}
${stackSetOption}

${awsFlags}

${outputFlags}

${exitCodesOf.get}

Docs: ${docsUrl}#get`,
  cancel: `Usage: opstatus cancel [options] <ref...>

Asks each operation's service to cancel it, all at once, and says whether the service
accepted. CloudFormation (StopStackSetOperation), ECS (StopServiceDeployment) and Cloud
Control (CancelResourceRequest) can cancel; Lightsail, Cloud Map, SSM for SAP and Route 53
cannot, and a ref of theirs is refused before any request (exit 2). With --wait, then waits
until every cancelled operation has ended, as wait does.

${refForms}

Options:
  --wait                  Then wait until each operation has ended; exit 1 when one ended
                          otherwise than cancelled (it finished first)
  --timeout <duration>    Give up after this long: the cancel requests (default 60s), and
                          with --wait the wait (default per service): exit 3
  --min-delay <duration>  With --wait: the shortest pause between polls
  --max-delay <duration>  With --wait: the longest pause between polls
${serviceOption}
${stackSetOption}

${awsFlags}

${outputFlags}

Examples:
  opstatus cancel cloudcontrol:us-east-1:<request-token>
  opstatus cancel --wait ecs:us-east-1:arn:aws:ecs:us-east-1:123456789012:service-deployment/web/api/Abc
  aws cloudformation update-stack-set --stack-set-name my-set ... | opstatus cancel --stack-set my-set -

${exitCodesOf.cancel}

Docs: ${docsUrl}#cancel`,
  list: `Usage: opstatus list <service> [options]

Lists a service's operations in one region (--region, AWS_REGION, AWS_DEFAULT_REGION or
the profile's region). <service> is ${slugList()}; Route 53 has no
API that lists its changes.

Filters:
  --status <status>       Unified (pending, running, succeeded, failed, cancelled, unknown;
                          one the service lacks matches nothing, e.g. Lightsail cancelled)
                          or the service's own (SUCCESS, FAIL, Started...); repeat or
                          comma-separate
  --type <type>           The service's operation type (CreateInstance, REGISTER_INSTANCE,
                          START_APPLICATION, Cloud Control CREATE...); repeat or comma-separate
  --since <when>          Only operations updated (Cloud Map) or started (Lightsail, SSM for
                          SAP) since then: a date (2024-05-01T12:00Z, UTC unless an offset
                          is given), epoch seconds (1714566896: a number from 10^9), or a
                          duration ago (1h, 30m; a smaller bare number is seconds)
  --resource <name>       Lightsail: the operations of one resource
  --namespace <id>        Cloud Map: the operations of one namespace
  --service-id <id>       Cloud Map: the operations of one service
  --application <id>      SSM for SAP: the application (required for ssm-sap)
  --stack-set <name>      CloudFormation: the stack set (required for cloudformation)
  --ecs-service <name>    ECS: the service whose deployments to list (required for ecs)
  --cluster <name>        ECS: the service's cluster (default: ECS's default cluster)
  --limit <n>             At most n operations
  --timeout <duration>    Give up after this long (default 5m): exit 3

${awsFlags}

${outputFlags}

Examples:
  opstatus list lightsail --region us-east-1 --resource my-instance
  opstatus list servicediscovery --status failed --since 2h
  opstatus list ssm-sap --application my-hana --type START_APPLICATION --json

${exitCodesOf.list}

Docs: ${docsUrl}#list-service`,
  demo: `Usage: opstatus demo [options]

Starts a local emulator of the seven services, starts operations on all of them with the
real AWS SDK clients (three Lightsail instances and a static IP, a Cloud Map namespace and
two instance registrations, an SSM for SAP application start, a CloudFormation StackSet
operation over four stack instances, an ECS service deployment, two Cloud Control resource
requests, a Route 53 hosted zone and record change), and waits for them. One Cloud Map
registration is made to fail on purpose, to show how a failure looks, and one Cloud Control
request is cancelled, to show how a cancel looks. Needs no AWS account and no network.

Exits 0 when everything went as designed (that one failure is expected), 130 when
interrupted (143 for SIGTERM), 141 when standard output was closed by its reader, and 1
otherwise.

Options:
  --json                  NDJSON events instead of the table
  --no-color              No colour (also NO_COLOR=1); TERM=dumb prints plain lines
  --debug                 Show the stack of an unexpected error
  -h, --help              Show this help

Docs: ${docsUrl}#demo`
}

/**
 * Prints the status tables of every adapter into docs/status-mapping.md,
 * after each `<!-- table:NAME -->` marker. Run with `pnpm docs:tables`.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { cloudControlHookStatusTable, cloudControlStatusTable } from "../packages/cloudcontrol/src/index.ts"
import {
  cloudFormationResultStatusTable,
  cloudFormationStackStatusTable,
  cloudFormationStatusTable
} from "../packages/cloudformation/src/index.ts"
import { renderStatusTable, type StatusTable } from "../packages/core/src/AdapterKit.ts"
import { ecsStatusTable } from "../packages/ecs/src/index.ts"
import { lightsailStatusTable } from "../packages/lightsail/src/index.ts"
import { route53StatusTable } from "../packages/route53/src/index.ts"
import { serviceDiscoveryStatusTable } from "../packages/servicediscovery/src/index.ts"
import { ssmSapEventStatusTable, ssmSapStatusTable } from "../packages/ssm-sap/src/index.ts"

const tables: Record<string, StatusTable> = {
  lightsail: lightsailStatusTable,
  servicediscovery: serviceDiscoveryStatusTable,
  "ssm-sap": ssmSapStatusTable,
  "ssm-sap-events": ssmSapEventStatusTable,
  cloudformation: cloudFormationStatusTable,
  "cloudformation-results": cloudFormationResultStatusTable,
  "cloudformation-stack": cloudFormationStackStatusTable,
  ecs: ecsStatusTable,
  cloudcontrol: cloudControlStatusTable,
  "cloudcontrol-hooks": cloudControlHookStatusTable,
  route53: route53StatusTable
}

const path = new URL("../docs/status-mapping.md", import.meta.url)
let doc = readFileSync(path, "utf8")
for (const [name, table] of Object.entries(tables)) {
  const marker = `<!-- table:${name} -->\n`
  const start = doc.indexOf(marker)
  if (start < 0) throw new Error(`docs/status-mapping.md has no ${marker.trim()} marker`)
  const from = start + marker.length
  let to = from
  while (doc.startsWith("|", to)) to = doc.indexOf("\n", to) + 1
  doc = `${doc.slice(0, from)}${renderStatusTable(table)}\n${doc.slice(to)}`
}
writeFileSync(path, doc)

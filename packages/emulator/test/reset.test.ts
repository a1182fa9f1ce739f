/** reset() clears what the services keep besides operations: CloudFormation's stack sets. */
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand
} from "@aws-sdk/client-cloudformation"
import { describe, expect, it } from "vitest"
import { credentials, rejection, start } from "./helpers.js"

describe("reset", () => {
  it("forgets CloudFormation stack sets with the operations", async () => {
    const emulator = await start({ timeScale: 1000 })
    const client = new CloudFormationClient({
      endpoint: emulator.endpoint,
      region: "us-east-1",
      credentials: credentials(),
      maxAttempts: 1
    })
    try {
      await client.send(new CreateStackSetCommand({ StackSetName: "kept", TemplateBody: "{}" }))
      const started = await client.send(
        new CreateStackInstancesCommand({
          StackSetName: "kept",
          Accounts: ["111111111111"],
          Regions: ["us-east-1"]
        })
      )
      expect(started.OperationId).toBeTypeOf("string")
      emulator.reset()
      const error = await rejection(
        client.send(
          new CreateStackInstancesCommand({
            StackSetName: "kept",
            Accounts: ["111111111111"],
            Regions: ["us-east-1"]
          })
        )
      )
      expect((error as Error).name).toBe("StackSetNotFoundException")
    } finally {
      client.destroy()
    }
  })
})

// The same from CommonJS: require() of the ESM packages (Node 20.19+), and one class for both.
const { waitForSuccess, OpstatusError, hasReason } = require("opstatus")
const core = require("@opstatus/core")

waitForSuccess(process.argv[2], { minDelay: 50, maxDelay: 100 }).then(
  async (operation) => {
    const esm = await import("@opstatus/core")
    console.log(
      JSON.stringify({
        status: operation.status,
        oneClass: OpstatusError === core.OpstatusError && core.OpstatusError === esm.OpstatusError,
        guards: typeof hasReason === "function"
      })
    )
  },
  (error) => {
    console.error(String(error))
    process.exitCode = 1
  }
)

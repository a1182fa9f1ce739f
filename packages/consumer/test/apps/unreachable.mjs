// An endpoint that cannot be reached: said, not waited out; how long it took is printed.
import { isOpstatusError, waitForSuccess } from "opstatus"

const started = Date.now()
try {
  await waitForSuccess(process.argv[2])
  console.log(JSON.stringify({ resolved: true }))
} catch (error) {
  console.log(
    JSON.stringify({
      typed: isOpstatusError(error),
      reason: isOpstatusError(error) ? error.reason._tag : String(error),
      message: error instanceof Error ? error.message : String(error),
      tookMs: Date.now() - started
    })
  )
}

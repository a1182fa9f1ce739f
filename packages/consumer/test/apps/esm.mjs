// The one line, from an ES module: a ref string through the default credential chain and region.
import { waitForSuccess } from "opstatus"

const operation = await waitForSuccess(process.argv[2], { minDelay: 50, maxDelay: 100 })
console.log(JSON.stringify({ status: operation.status, service: operation.ref.service }))

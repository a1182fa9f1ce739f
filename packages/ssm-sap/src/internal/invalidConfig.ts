/**
 * The `InvalidConfig` error of this package's constructors.
 */
import { InvalidConfig, OpstatusError } from "@opstatus/core"

/** A setting of `ssmSapSource` that makes no sense. */
export const invalidConfig = (setting: string, message: string): OpstatusError =>
  new OpstatusError({ reason: new InvalidConfig({ setting, message: `${setting}: ${message}` }) })

/**
 * `@opstatus/route53`: Amazon Route 53 changes for opstatus.
 *
 * @since 0.3.0
 */
export {
  classifyRoute53Error,
  operationsFromResponse,
  Route53ChangeInfo,
  Route53GetChangeAnswer,
  type Route53Query,
  type Route53SourceOptions,
  refsFromResponse,
  route53ChangeCalls,
  route53ErrorNames,
  route53Region,
  route53Service,
  route53Source,
  route53StatusTable,
  toOperation
} from "./Route53Source.js"

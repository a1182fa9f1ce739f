/**
 * Which hosts are loopback: the name `localhost`, an IPv4 address in 127.0.0.0/8 (dotted quad),
 * `::1` in any spelling, and IPv4-mapped IPv6 addresses of 127.0.0.0/8 (`::ffff:127.0.0.1`).
 * Anything else (`0.0.0.0`, `::`, an empty host, a LAN address, another name) is not: the
 * emulator has no authentication, so it listens there only when told to.
 */
import { BlockList, isIP } from "node:net"

const loopback = new BlockList()
loopback.addSubnet("127.0.0.0", 8, "ipv4")
loopback.addAddress("::1", "ipv6")

/** True for an address (as `server.address()` gives it) in 127.0.0.0/8 or `::1`. */
export const isLoopbackAddress = (address: string): boolean => {
  const family = isIP(address)
  return family !== 0 && loopback.check(address, family === 6 ? "ipv6" : "ipv4")
}

/** True for a host to listen on that can only be reached from this machine. */
export const isLoopbackHost = (host: string): boolean => {
  const h = host.toLowerCase()
  return h === "localhost" || h === "localhost." || isLoopbackAddress(h)
}

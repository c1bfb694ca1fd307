// @armorkit/core/address: IP addresses and CIDRs read as Go's net.ParseIP / net.ParseCIDR read them (vArmor's
// reference). Compilers use them to encode addresses; they need no schema library, so they are an entry of their own.
export { formatIp, ipv4Bytes, parseIp, type IpAddress } from '../address/ip-address.js';
export { familyNetwork, formatCidr, maskBytes, parseCidr, type IpNetwork } from '../address/ip-network.js';

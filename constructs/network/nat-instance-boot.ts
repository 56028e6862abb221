/**
 * The NAT instance's boot script (user data), run by cloud-init as root on Amazon Linux 2023:
 * 1. find the fixed network interface by its Name tag (the one the private route tables point at,
 *    holding the Elastic IP; the user data stays a plain string, no Terraform reference) and attach
 *    it as device 1, retrying while a terminated predecessor still holds it; the call goes
 *    to the EC2 dual-stack endpoint over the primary interface's IPv6 address when the VPC has IPv6
 *    (no second public IPv4), else over the primary's public IPv4;
 * 2. find that interface by its MAC (IMDSv2), make it the default IPv4 route;
 * 3. forward and masquerade traffic from the VPC out of it (nftables).
 * Not run against AWS here: `__tests__/platform/nat-instance.spec.ts` runs it under bash with stubbed
 * `curl`, `aws`, `ip`, `sysctl` and `nft`, and checks the calls (docs/runbooks.md).
 */

export interface NatBootParams {
  readonly region: string;
  /** The fixed interface's Name tag. */
  readonly networkInterfaceName: string;
  readonly vpcCidr: string;
  /** Call the EC2 API at its dual-stack endpoint (the primary interface has only IPv6 outside). */
  readonly dualStackApi: boolean;
}

const SCRIPT = `
set -euo pipefail
imds() {
  local token
  token=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
  curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}
endpoint=()
if [ "$DUAL_STACK_API" = true ]; then endpoint=(--endpoint-url "https://ec2.$REGION.api.aws"); fi
instance=$(imds instance-id)
ENI_ID=$(aws ec2 describe-network-interfaces --region "$REGION" "\${endpoint[@]}" --filters "Name=tag:Name,Values=$ENI_NAME" --query 'NetworkInterfaces[0].NetworkInterfaceId' --output text)

# 1. Attach the fixed interface; a predecessor being terminated may still hold it for a while.
for attempt in $(seq 1 30); do
  if aws ec2 attach-network-interface --region "$REGION" "\${endpoint[@]}" --network-interface-id "$ENI_ID" --instance-id "$instance" --device-index 1; then
    break
  fi
  if [ "$attempt" = 30 ]; then echo "could not attach $ENI_ID" >&2; exit 1; fi
  sleep 10
done

# 2. The interface by its MAC; its subnet's router (first host) becomes the default route.
dev=""
for attempt in $(seq 1 30); do
  for mac in $(imds network/interfaces/macs/); do
    mac=\${mac%/}
    if [ "$(imds "network/interfaces/macs/$mac/interface-id")" = "$ENI_ID" ]; then
      dev=$(ip -o link | awk -v m="$mac" '$0 ~ m { sub(":", "", $2); print $2 }')
      cidr=$(imds "network/interfaces/macs/$mac/subnet-ipv4-cidr-block")
    fi
  done
  [ -n "$dev" ] && break
  sleep 2
done
[ -n "$dev" ] || { echo "$ENI_ID did not appear" >&2; exit 1; }
IFS=. read -r a b c d <<<"\${cidr%/*}"
ip route replace default via "$a.$b.$c.$((d + 1))" dev "$dev" metric 10

# 3. Forward and masquerade what comes from the VPC.
sysctl -w net.ipv4.ip_forward=1
sysctl -w net.ipv4.conf.all.rp_filter=2
nft add table ip nat
nft 'add chain ip nat postrouting { type nat hook postrouting priority 100 ; }'
nft add rule ip nat postrouting oifname "$dev" ip saddr "$VPC_CIDR" masquerade
echo "NAT ready on $dev for $VPC_CIDR"
`;

/** The user data's first lines: the parameters. */
export function natBootParameters(params: NatBootParams): string {
  return [
    '#!/bin/bash',
    `REGION='${params.region}'`,
    `ENI_NAME='${params.networkInterfaceName}'`,
    `VPC_CIDR='${params.vpcCidr}'`,
    `DUAL_STACK_API=${params.dualStackApi}`,
    '',
  ].join('\n');
}

/** The script after the parameters: plain bash. */
export const NAT_BOOT_SCRIPT = `${SCRIPT.trim()}\n`;

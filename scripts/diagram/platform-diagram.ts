/**
 * One Mermaid flowchart per environment, from its platform stack's construct tree and config: the
 * edge path (users, DNS, WAF, load balancer), the services and what they use, the data stores, the
 * egress path, and per layer (the construct tree's first level) the notable resources of the other
 * layers (a table by resource type: a type not in it is left out, so a new layer shows its notable
 * resources once its types are listed). `npm run diagram` writes them to docs/diagrams/.
 */
import { TerraformResource } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../../environments/schema';

/** What a platform stack offers the diagram: its config and its construct tree. */
export interface DiagramSource {
  readonly config: EnvironmentConfig;
  readonly node: IConstruct['node'];
}

/** Resource types worth a node of their own, in layers the edge/compute/data part does not draw. */
const NOTABLE: Record<string, string> = {
  aws_cloudfront_distribution: 'CloudFront distribution',
  aws_cognito_user_pool: 'Cognito user pool',
  aws_cognito_identity_pool: 'Cognito identity pool',
  aws_lambda_function: 'Lambda function',
  aws_sqs_queue: 'SQS queue',
  aws_sns_topic: 'SNS topic',
  aws_eks_cluster: 'EKS cluster',
  aws_eks_node_group: 'EKS node group',
  aws_msk_cluster: 'MSK cluster',
  aws_kms_key: 'KMS key',
  aws_backup_vault: 'Backup vault',
  aws_cloudwatch_dashboard: 'CloudWatch dashboard',
  aws_xray_group: 'X-Ray group',
  aws_codedeploy_app: 'CodeDeploy application',
  aws_instance: 'EC2 instance',
};
/** Layers the main part of the diagram draws itself. */
const DRAWN_LAYERS = ['Edge', 'Network', 'Data', 'Compute'];

const id = (text: string) => text.replace(/[^A-Za-z0-9]/g, '_');
/** Mermaid label text (in quotes; `<br/>` breaks lines): a quote would end it. */
const label = (text: string) => text.replace(/"/g, '#quot;');

export function platformDiagram(stack: DiagramSource): string {
  const c = stack.config;
  const resources = stack.node
    .findAll()
    .filter((r): r is TerraformResource => r instanceof TerraformResource);
  const types = new Set(resources.map((r) => r.terraformResourceType));
  const lines: string[] = ['flowchart LR', '  users(("Users"))', '  internet(("Internet"))'];
  const edges: string[] = [];
  const node = (key: string, text: string, shape: 'box' | 'db' = 'box') =>
    shape === 'db' ? `    ${key}[("${label(text)}")]` : `    ${key}["${label(text)}"]`;

  lines.push('  subgraph edge["Edge"]');
  lines.push(node('dns', `Route 53<br/>${c.dns.domainName}`));
  lines.push(node('waf', 'WAF web ACL'));
  lines.push(node('alb', 'Application Load Balancer<br/>HTTPS 443, HTTP redirects'));
  if (types.has('aws_cloudfront_distribution')) lines.push(node('cdn', 'CloudFront'));
  lines.push('  end');
  edges.push(
    types.has('aws_cloudfront_distribution')
      ? '  users -->|HTTPS| dns --> cdn -->|origin| waf --> alb'
      : '  users -->|HTTPS| dns --> waf --> alb',
  );

  const services = Object.entries(c.services ?? {});
  lines.push(`  subgraph compute["Compute: ${types.has('aws_eks_cluster') ? 'EKS' : 'ECS Fargate'}"]`);
  for (const [name, s] of services) {
    const tasks = `${s.desiredCount} task${s.desiredCount === 1 ? '' : 's'}, ${s.capacity}`;
    lines.push(node(`svc_${id(name)}`, `${name}<br/>${s.cpu} CPU / ${s.memory} MiB, ${tasks}`));
    for (const path of s.pathPatterns ?? []) edges.push(`  alb -->|"${label(path)}"| svc_${id(name)}`);
  }
  lines.push('  end');

  lines.push('  subgraph data["Data"]');
  if (c.database) {
    const db = c.database;
    lines.push(node('database', `${db.engine} ${db.engineVersion}<br/>${db.instanceClass}`, 'db'));
  }
  if (c.cache) lines.push(node('cache', `Redis ${c.cache.engineVersion}<br/>${c.cache.nodeType}`, 'db'));
  for (const t of Object.keys(c.tables ?? {})) lines.push(node(`table_${id(t)}`, `DynamoDB ${t}`, 'db'));
  for (const b of Object.keys(c.buckets ?? {})) lines.push(node(`bucket_${id(b)}`, `S3 ${b}`, 'db'));
  lines.push('  end');
  for (const [name, s] of services) {
    const from = `svc_${id(name)}`;
    if (s.uses?.database && c.database) edges.push(`  ${from} --> database`);
    if (s.uses?.cache && c.cache) edges.push(`  ${from} --> cache`);
    for (const t of s.uses?.tables ?? []) edges.push(`  ${from} --> table_${id(t)}`);
    for (const b of s.uses?.buckets ?? []) edges.push(`  ${from} --> bucket_${id(b)}`);
  }

  lines.push('  subgraph network["Network"]');
  const nat = c.network.natGateways;
  const natText =
    nat === 'instance'
      ? `NAT instance ${c.network.natInstance.instanceType}`
      : nat === 'none'
        ? 'no NAT: interface endpoints only'
        : `NAT gateway${nat === 'perAz' ? ` x${c.network.availabilityZones.length}` : ''}`;
  lines.push(node('nat', natText));
  if (c.network.bastion) lines.push(node('bastion', `SSM bastion ${c.network.bastion.instanceType}`));
  lines.push('  end');
  if (c.network.bastion && c.database) edges.push('  bastion -.->|port forwarding| database');
  if (services.length > 0 && nat !== 'none') {
    edges.push(`  ${services.map(([n]) => `svc_${id(n)}`).join(' & ')} -->|egress| nat`);
    edges.push('  nat --> internet');
  }

  lines.push(...otherLayers(resources));
  return [...lines, ...edges, ''].join('\n');
}

/** Per layer not drawn above, its notable resources (count per type), as a subgraph. */
function otherLayers(resources: readonly TerraformResource[]): string[] {
  const byLayer = new Map<string, Map<string, number>>();
  for (const c of resources) {
    const what = NOTABLE[c.terraformResourceType];
    // scopes: the app, the stack, the layer.
    const layer = c.node.scopes[2]?.node.id;
    if (!what || !layer || DRAWN_LAYERS.includes(layer)) continue;
    const counts = byLayer.get(layer) ?? new Map<string, number>();
    counts.set(what, (counts.get(what) ?? 0) + 1);
    byLayer.set(layer, counts);
  }
  const out: string[] = [];
  for (const [layer, counts] of [...byLayer].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`  subgraph layer_${id(layer)}["${label(layer)}"]`);
    for (const [what, n] of counts)
      out.push(`    ${id(layer)}_${id(what)}["${label(n > 1 ? `${what} x${n}` : what)}"]`);
    out.push('  end');
  }
  return out;
}

/** The Markdown file of one environment's diagram. */
export function diagramDocument(env: string, mermaid: string): string {
  return [
    `# Platform diagram: \`${env}\``,
    '',
    `Generated by \`npm run diagram\` from the \`platform-${env}\` stack (construct tree and config); a test`,
    'fails when it is stale. Edit the config or the constructs, not this file.',
    '',
    '```mermaid',
    mermaid.trimEnd(),
    '```',
    '',
  ].join('\n');
}

/** docs/diagrams/README.md: the index the repository README links to. */
export function diagramIndex(envs: readonly string[]): string {
  return [
    '# Platform diagrams',
    '',
    'One per environment, generated by `npm run diagram` (a test fails when they are stale):',
    '',
    ...envs.map((env) => `- [${env}](${env}.md)`),
    '',
  ].join('\n');
}

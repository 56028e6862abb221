/**
 * Tags every taggable resource of a stack. The AWS provider's default_tags cover most resources, but
 * not everything that takes tags reads them (e.g. resources created by other resources from a
 * launch template, or tags compared by other tools), so the Aspect writes them on each resource too.
 */
import { Aspects, TerraformResource, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';

export interface StandardTagsProps {
  readonly project: string;
  /** Environment name, or `account` for account-level stacks. */
  readonly environment: string;
  /** Extra tags from config; the three standard keys win. */
  readonly extra?: Readonly<Record<string, string>>;
}

export function standardTags(props: StandardTagsProps): Record<string, string> {
  return { ...props.extra, Project: props.project, Environment: props.environment, ManagedBy: 'cdktf' };
}

interface Taggable {
  tags: Record<string, string>;
  readonly tagsInput?: Record<string, string>;
}

function isTaggable(node: IConstruct): node is TerraformResource & Taggable {
  // Generated resource classes with a map `tags` argument expose a `tagsInput` getter.
  return node instanceof TerraformResource && 'tagsInput' in node;
}

export class TaggingAspect implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  visit(node: IConstruct): void {
    if (isTaggable(node)) node.tags = { ...this.tags, ...(node.tagsInput ?? {}) };
  }
}

/** Adds the tagging Aspect to a stack (Aspects on the App are not applied in cdktf: add per stack). */
export function tagEverything(scope: IConstruct, tags: Readonly<Record<string, string>>): void {
  Aspects.of(scope).add(new TaggingAspect(tags));
}

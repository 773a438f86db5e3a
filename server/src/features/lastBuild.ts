// What the last build (.bpf.o, skeleton) said, where it differs from the sources the analysis
// follows: while a source has unsaved edits, or the build is older than the saved sources, the
// object's answer is the last build's, not a contradiction (hover and lens say "last build"). A
// build made after the sources were saved that still disagrees is said as such.
import type { ModelBuild, WorkspaceModel } from '../analysis/model';

const name = (file: string): string => file.split('/').pop() ?? file;

function buildOf(model: WorkspaceModel, object: string): ModelBuild | undefined {
  return model.objects.find((o) => o.id === object)?.build;
}

/** The differences that concern `item`: a program or map name, or a `map.member` slot key. */
function about(build: ModelBuild, item: string): string[] {
  return build.differences.map((d) => d.message).filter((m) => m.includes(`\`${item}\``) || m.includes(`\`${item}.`));
}

/** Hover lines for an item of the object: what its last build says of it, if that differs. */
export function lastBuildLines(model: WorkspaceModel, object: string, item: string): string[] {
  const build = buildOf(model, object);
  if (!build || build.state === 'current') return [];
  const said = about(build, item);
  if (!said.length) return [];
  const files = (build.state === 'behind' ? build.behind : build.outputs).map((f) => `\`${name(f)}\``).join(', ');
  const when =
    build.state === 'editing'
      ? `**Last build** (${files}, before your unsaved edits):`
      : build.state === 'behind'
        ? `**Last build** (${files}, older than the saved sources; rebuild to update it):`
        : `**Built after the sources were saved, and still different** (${files}):`;
  return ['', when, ...said.map((s) => `- ${s}`)];
}

/** A lens suffix for an item the last build says otherwise about, while it is the last build. */
export function lastBuildSuffix(model: WorkspaceModel, object: string, item: string): string {
  const build = buildOf(model, object);
  if (!build || (build.state !== 'editing' && build.state !== 'behind')) return '';
  return about(build, item).length ? ' · last build differs' : '';
}

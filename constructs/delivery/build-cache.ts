import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as pipelines from 'aws-cdk-lib/pipelines';

/**
 * Where the synth step keeps Keel's caches (compiled TypeScript, validator findings): KEEL_CACHE_DIRECTORY, outside
 * node_modules, because the step's `npm ci` deletes node_modules and with it the default node_modules/.cache/keel.
 */
export const PIPELINE_KEEL_CACHE_DIRECTORY = '/root/.cache/keel';

/** npm's download cache on CodeBuild's standard images, whose builds run as root: what makes `npm ci` quick. */
export const NPM_CACHE_DIRECTORY = '/root/.npm';

/**
 * A CodeBuild step's local cache of `directories`, kept on the build host between builds of the same project.
 *
 * AWS documents the local cache as best effort: "The build project stores a cache locally on a build host that is
 * only available to that build host" (AWS::CodeBuild::Project ProjectCache, `Type: LOCAL`, in the CloudFormation
 * template reference), and the custom mode caches the directories the buildspec's `cache.paths` names, each
 * written `<dir>/**\/*` (aws-cdk-lib's `LocalCacheMode.CUSTOM`). A build on another host starts cold and is only
 * slower: every cached entry is keyed by content, so nothing stale can be used. It needs no bucket and no
 * permission, which an S3 cache would.
 */
export function buildCache(
  directories: readonly string[],
): Required<Pick<pipelines.CodeBuildStepProps, 'cache' | 'partialBuildSpec'>> {
  return {
    cache: codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM),
    partialBuildSpec: codebuild.BuildSpec.fromObject({
      cache: { paths: directories.map((directory) => `${directory}/**/*`) },
    }),
  };
}

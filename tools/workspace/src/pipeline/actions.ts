/**
 * Every third-party action the workflows use, pinned by the full commit SHA
 * of a release tag (a tag can be moved; a commit cannot). Where each SHA was
 * checked is in docs/delivery.md ("Pinned actions"). To upgrade: look up the
 * new tag's commit, change it here and in the workflow files, run the guard
 * tests (`npx nx run workspace:test`).
 */
export const PINNED_ACTIONS = {
  checkout: { uses: 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', tag: 'v4.2.2' },
  setupNode: { uses: 'actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020', tag: 'v4.4.0' },
  nxSetShas: { uses: 'nrwl/nx-set-shas@e2e59b8eb7383c8a80e45134a48ed35a1f2e1fea', tag: 'v4.3.0' },
  awsCredentials: { uses: 'aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df', tag: 'v4.2.1' },
  setupTerraform: { uses: 'hashicorp/setup-terraform@b9cd54a3c349d3f38e8881555d616ced269862dd', tag: 'v3.1.2' },
  uploadArtifact: { uses: 'actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02', tag: 'v4.6.2' },
  downloadArtifact: { uses: 'actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093', tag: 'v4.3.0' },
  stickyComment: { uses: 'marocchino/sticky-pull-request-comment@773744901bac0e8cbb5a0dc842800d45e9b2b405', tag: 'v2.9.4' },
  configurePages: { uses: 'actions/configure-pages@983d7736d9b0ae728b81ab479565c72886d7745b', tag: 'v5.0.0' },
  uploadPagesArtifact: { uses: 'actions/upload-pages-artifact@7b1f4a764d45c48632c6b24a0339c27f5614fb0b', tag: 'v4.0.0' },
  deployPages: { uses: 'actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e', tag: 'v4.0.5' },
} as const;

/** `owner/repo@<40 hex>` (optionally `owner/repo/path@…`). */
export const SHA_PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/;

/** The Terraform CLI the pipeline runs (>= 1.10 for S3 lock files; the version this repo's synth was checked with). */
export const TERRAFORM_VERSION = '1.11.4';

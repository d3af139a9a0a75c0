/**
 * Resource types that have no local effect: the interpreter accepts them,
 * keeps them in state marked `recorded` (not enforced) and exports the
 * attributes Terraform would (`arn`, `id`, `name`), so other resources can
 * reference them. Each entry says why it is safe to record. Any type that is
 * neither here nor handled by a service module's provisioner is reported as
 * NOT EMULATED.
 */
export const NO_LOCAL_EFFECT: Readonly<Record<string, string>> = {
  aws_iam_role: 'IAM is not enforced locally: every call is allowed',
  aws_iam_policy: 'IAM is not enforced locally: every call is allowed',
  aws_iam_role_policy: 'IAM is not enforced locally: every call is allowed',
  aws_iam_role_policy_attachment: 'IAM is not enforced locally: every call is allowed',
  aws_iam_policy_attachment: 'IAM is not enforced locally: every call is allowed',
  aws_iam_service_linked_role: 'IAM is not enforced locally: every call is allowed',
  aws_iam_openid_connect_provider: 'no GitHub OIDC locally (AssumeRoleWithWebIdentity is not emulated); roles trusting it can still be assumed by the developer',
  aws_lambda_permission: 'resource policies are not enforced locally: every invocation is allowed',
  aws_sqs_queue_policy: 'resource policies are not enforced locally: every send is allowed',
  aws_cloudwatch_event_bus_policy: 'resource policies are not enforced locally: every PutEvents is allowed',
  aws_kms_key: 'encryption at rest is not modelled locally',
  aws_kms_alias: 'encryption at rest is not modelled locally',
  // When the logs module runs, its provisioner takes this type over (DescribeLogGroups lists the group).
  aws_cloudwatch_log_group: 'function output goes to the local cloud log files, read through the logs module when it runs',
  aws_cloudwatch_log_stream: 'function output goes to the function log group (one stream per function and day), not to declared streams',
  aws_glue_catalog_database: 'no Glue locally: the lake is queried with DuckDB over the local S3 data (npm run lake:query)',
  aws_glue_catalog_table: 'no Glue locally: the lake is queried with DuckDB over the local S3 data (npm run lake:query)',
  aws_athena_workgroup: 'no Athena locally: the lake is queried with DuckDB over the local S3 data (npm run lake:query)',
  aws_cloudwatch_metric_alarm: 'no CloudWatch metrics locally; alarms never fire',
  aws_cloudwatch_composite_alarm: 'no CloudWatch metrics locally; alarms never fire',
  aws_cloudwatch_dashboard: 'no CloudWatch locally',
  aws_cloudwatch_event_archive: 'events are not archived locally (replay is not emulated)',
  aws_schemas_registry: 'the schema registry is documentation; contracts are enforced by zod in code',
  aws_schemas_schema: 'the schema registry is documentation; contracts are enforced by zod in code',
  aws_xray_sampling_rule: 'no tracing locally',
  aws_resourcegroups_group: 'resource groups are a console convenience',
};

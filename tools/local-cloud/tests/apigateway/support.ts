/**
 * An HTTP API applied through the API Gateway module's provisioners, as a stack would declare it:
 * the API, an auto-deployed `$default` stage, then AWS_PROXY routes (payload format 2.0).
 */
import { applyResource } from '../sqs/harness';
import type { Harness } from '../sqs/harness';

export async function applyHttpApi(harness: Harness, options: { stack: string; name: string; stackDir?: string }) {
  const apply = (type: string, name: string, config: Record<string, unknown>) =>
    applyResource(harness.modules, { stack: options.stack, type, name, address: `${type}.${name}`, config, stackDir: options.stackDir ?? '/tmp' });
  const api = await apply('aws_apigatewayv2_api', 'http', { name: options.name, protocol_type: 'HTTP' });
  await apply('aws_apigatewayv2_stage', 'default', { api_id: api.id, name: '$default', auto_deploy: true });
  return {
    url: String(api.api_endpoint),
    /** Applies any other resource of the same stack (a function, its permission…). */
    apply,
    async addProxyRoute(name: string, routeKey: string, integrationUri: string): Promise<void> {
      const integration = await apply('aws_apigatewayv2_integration', name, { api_id: api.id, integration_type: 'AWS_PROXY', integration_uri: integrationUri, payload_format_version: '2.0' });
      await apply('aws_apigatewayv2_route', name, { api_id: api.id, route_key: routeKey, target: `integrations/${String(integration.id)}` });
    },
  };
}

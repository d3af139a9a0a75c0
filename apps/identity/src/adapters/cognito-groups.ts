/** Group membership through the Cognito API (the post-confirmation and post-authentication roles may call AdminAddUserToGroup on this pool only). */
import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SDK_RETRY } from './aws-clients';

export const CUSTOMERS_GROUP = 'customers';

export interface GroupMembership {
  /** Idempotent: adding a member again is not an error. */
  addToGroup(params: { userPoolId: string; userName: string; group: string }): Promise<void>;
}

export class CognitoGroupMembership implements GroupMembership {
  constructor(private readonly client: CognitoIdentityProviderClient = new CognitoIdentityProviderClient({ ...SDK_RETRY })) {}

  async addToGroup({ userPoolId, userName, group }: { userPoolId: string; userName: string; group: string }): Promise<void> {
    await this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: userName, GroupName: group }));
  }
}

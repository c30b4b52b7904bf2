/**
 * n8n-core asks additionalData.credentialsHelper for a node's credentials and to sign its requests. n8n's own
 * helper reads encrypted rows from its database; this one hands out decrypted values kept in memory (one set
 * per credential type) and signs with the credential class's own authenticate(), so requests leave exactly
 * as they would from n8n.
 */
import {
	ICredentialsHelper,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IHttpRequestOptions,
	type INodeCredentialsDetails,
	type INodeProperties,
	type IRequestOptionsSimplified,
} from 'n8n-workflow';

/** Observers for tests that count credential reads or look at signed requests. */
export interface CredentialsHelperHooks {
	/** Called each time n8n reads (decrypts) a credential. */
	onRead?: () => void;
	/** Called with every request after the credential signed it, before it is sent. */
	onSigned?: (options: IHttpRequestOptions) => void;
}

export class InMemoryCredentialsHelper extends ICredentialsHelper {
	private readonly typesByName: Map<string, ICredentialType>;

	constructor(
		private readonly credentialsByType: Record<string, ICredentialDataDecryptedObject>,
		credentialTypes: ICredentialType[],
		private readonly hooks: CredentialsHelperHooks = {},
	) {
		super();
		// Of several types with one name the last wins, so callers can replace a built-in one.
		this.typesByName = new Map(credentialTypes.map((type) => [type.name, type]));
	}

	async getDecrypted(
		_additionalData: unknown,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.credentialsByType[type];
		if (!data) {
			throw new Error(
				`No test values for credential "${nodeCredentials.name}" (type ${type}): pass them to runWorkflow as credentials.${type}`,
			);
		}
		this.hooks.onRead?.();
		// A copy: a node that edits what it was given must not change the next node's (or run's) values.
		return structuredClone(data);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.credentialType(typeName);
		if (authenticate !== undefined && typeof authenticate !== 'function') {
			// Generic (declarative) authentication needs n8n's expression-resolving helper; none of ours uses it.
			throw new Error(
				`Credential type ${typeName} uses generic authentication, which the devkit does not run`,
			);
		}
		const signed = authenticate
			? await authenticate(credentials, requestOptions as IHttpRequestOptions)
			: (requestOptions as IHttpRequestOptions);
		this.hooks.onSigned?.(signed);
		return signed;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.credentialType(type).properties;
	}

	getParentTypes(name: string): string[] {
		const parents = this.typesByName.get(name)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	// No credential of this package refreshes tokens or logs in before requests.
	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	// n8n-core calls these only for encrypted rows and OAuth token refreshes, which an in-memory store has not.
	async getCredentials(): Promise<ICredentials> {
		throw new Error(
			'The devkit keeps credentials decrypted in memory; there is no encrypted row to read',
		);
	}

	async updateCredentials(): Promise<void> {
		throw new Error('The devkit does not store credential updates');
	}

	async updateCredentialsOauthTokenData(): Promise<void> {
		throw new Error('The devkit does not store OAuth token updates');
	}

	private credentialType(name: string): ICredentialType {
		const type = this.typesByName.get(name);
		if (!type) {
			const known = [...this.typesByName.keys()].join(', ');
			throw new Error(
				`Unknown credential type ${name} (known: ${known}); pass it in options.credentialTypes`,
			);
		}
		return type;
	}
}

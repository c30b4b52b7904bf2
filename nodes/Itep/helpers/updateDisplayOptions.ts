import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/**
 * Adds an operation's `displayOptions` to each of its properties, merged with the property's own (so a
 * field shown only for one Registration mode keeps that condition). The same idea as n8n's own helper,
 * kept here so the pack does not depend on when n8n-workflow started exporting it.
 */
export function updateDisplayOptions(
	displayOptions: IDisplayOptions,
	properties: INodeProperties[],
): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...displayOptions.show, ...property.displayOptions?.show },
			...(displayOptions.hide || property.displayOptions?.hide
				? { hide: { ...displayOptions.hide, ...property.displayOptions?.hide } }
				: {}),
		},
	}));
}

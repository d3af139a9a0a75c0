import { servicesFromEnvironment } from '../adapters/environment';
import { onProductRetired } from '../adapters/on-product-retired';

export const handler = onProductRetired(servicesFromEnvironment());

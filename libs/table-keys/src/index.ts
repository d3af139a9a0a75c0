// Single-table design for DynamoDB: generic key attributes, typed and escaped key builders,
// access-pattern registry, item codecs (schema enforced on read), conditional-write inputs
// and capacity arithmetic. SDK-free at runtime: it produces plain command inputs.
export * from './table';
export * from './key-segments';
export * from './entity';
export * from './access-patterns';
export * from './item-codec';
export * from './writes';
export * from './ttl';
export * from './capacity';
export * from './outbox';

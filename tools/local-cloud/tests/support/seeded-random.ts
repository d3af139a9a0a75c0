// The workspace's one seeded random source; the system crash test draws its kill points from it too.
export { seededRandom } from '@kestrel/testing';

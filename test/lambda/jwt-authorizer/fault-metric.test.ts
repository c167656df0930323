import { emfCount } from '../../../lambda/jwt-authorizer/fault-metric';

test('one count of a metric as a single-line embedded metric format object', () => {
  const line = emfCount('SecureApi/Test', 'AuthorizerFaults', { service: 'jwt-authorizer', FunctionName: 'fn' }, 1_700_000_000_000);
  expect(line).not.toContain('\n');
  expect(JSON.parse(line)).toEqual({
    _aws: {
      Timestamp: 1_700_000_000_000,
      CloudWatchMetrics: [{
        Namespace: 'SecureApi/Test',
        Dimensions: [['service', 'FunctionName']],
        Metrics: [{ Name: 'AuthorizerFaults', Unit: 'Count' }],
      }],
    },
    service: 'jwt-authorizer',
    FunctionName: 'fn',
    AuthorizerFaults: 1,
  });
});

import { Stack, StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { MultiRegionApiRecords, RegionalRouting, SecurityReport } from 'secure-api-gateway';
import { EnvironmentConfig } from './environment-config';
import { ExampleApiStack, HEALTH_ROUTE, regionalDomainName } from './example-api-stack';

/** Properties of the example's DNS stack. */
export interface ExampleDnsStackProps extends StackProps {
  /** The environment's validated settings; it has a domain and two or more regions. */
  readonly config: EnvironmentConfig;
  /** The environment's regional stacks, in the order of `config.regions`. */
  readonly regionalStacks: ExampleApiStack[];
}

/**
 * A multi-region environment's DNS, in us-east-1 (where Route 53's health-check metrics, and so
 * their alarms, live): the shared name's failover or latency records, a health check of each
 * region's health route, and an alarm when one fails. Deployed after the regional stacks, whose
 * regional names its records alias.
 */
export class ExampleDnsStack extends Stack {
  public readonly records: MultiRegionApiRecords;

  constructor(scope: Construct, id: string, props: ExampleDnsStackProps) {
    super(scope, id, props);
    // It holds no API, so it asks for the security and cost report itself (health checks, alarms, key).
    SecurityReport.enable(this);
    const { config, regionalStacks } = props;
    const domain = config.domain!;
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'HostedZone', { hostedZoneId: domain.hostedZoneId, zoneName: domain.zoneName });
    const healthPath = HEALTH_ROUTE.split(' ')[1];
    this.records = new MultiRegionApiRecords(this, 'Records', {
      hostedZone,
      recordName: domain.name,
      routing: config.routing === 'latency' ? RegionalRouting.LATENCY : RegionalRouting.FAILOVER,
      regions: regionalStacks.map((stack) => ({
        region: stack.region,
        regionalDomainName: regionalDomainName(domain.name, stack.region),
        healthCheckPath: `/${config.stageName}${healthPath}`,
        // Checked at synth: the health route must be a public route of the region's API.
        api: stack.api,
        healthRoute: HEALTH_ROUTE,
        // Clients reach the region's domain of the shared name (by reference across regions).
        domain: stack.domain!.domain,
      })),
      alarmEmailAddresses: [...config.alarmEmails],
    });
    for (const stack of regionalStacks) {
      this.addStackDependency(stack, 'the records alias each region\'s own name, which the regional stack creates');
    }
  }
}

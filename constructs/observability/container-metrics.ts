import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { MonitoredContainer } from '../service/monitored-service';

/** The period of the load balancer's request alarms, as of every other standard alarm. */
export const REQUEST_PERIOD = Duration.minutes(5);

/** The period of the capacity alarms (unhealthy hosts, running tasks): a lost task shows within minutes. */
export const CAPACITY_PERIOD = Duration.minutes(1);

// Dimension sets, from AWS's pages (read 2026-11-30):
// - "CloudWatch metrics for your Application Load Balancer" (Elastic Load Balancing), each metric's Dimensions:
//   HTTPCode_ELB_5XX_Count and RejectedConnectionCount: LoadBalancer; AvailabilityZone, LoadBalancer.
//   HTTPCode_Target_5XX_Count and TargetResponseTime: those two and TargetGroup, LoadBalancer; TargetGroup,
//   AvailabilityZone, LoadBalancer. RequestCount: LoadBalancer; TargetGroup, LoadBalancer.
//   HealthyHostCount and UnHealthyHostCount: TargetGroup, LoadBalancer; TargetGroup, AvailabilityZone, LoadBalancer
//   only. (aws-cdk-lib's generated ApplicationELBMetrics also offers UnHealthyHostCount per LoadBalancer; the page
//   does not, so the host alarms read each target group.)
// - "Amazon ECS CloudWatch metrics": AWS/ECS CPUUtilization and MemoryUtilization per ClusterName, ServiceName.
// - "Amazon ECS Container Insights metrics": ECS/ContainerInsights RunningTaskCount per ServiceName, ClusterName.

/** A metric of the whole load balancer (the `LoadBalancer` dimension): both target groups, whichever serves. */
export function loadBalancerMetric(
  loadBalancer: elbv2.ApplicationLoadBalancer,
  metricName: string,
  statistic: string,
  period: Duration = REQUEST_PERIOD,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApplicationELB',
    metricName,
    dimensionsMap: { LoadBalancer: loadBalancer.loadBalancerFullName },
    statistic,
    period,
  });
}

/** A metric of one target group (`TargetGroup, LoadBalancer`): host counts exist only per target group. */
export function targetGroupMetric(
  container: MonitoredContainer,
  targetGroup: elbv2.ApplicationTargetGroup,
  metricName: string,
  statistic: string,
  period: Duration = CAPACITY_PERIOD,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApplicationELB',
    metricName,
    dimensionsMap: {
      TargetGroup: targetGroup.targetGroupFullName,
      LoadBalancer: container.loadBalancer.loadBalancerFullName,
    },
    statistic,
    period,
    label: `${metricName} ${targetGroup.node.id}`,
  });
}

/** Unhealthy targets in every target group of the service added up: blue and green swap roles each deployment. */
export function unhealthyHosts(container: MonitoredContainer): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(
    container.targetGroups.map((group, i) => [
      `tg${i}`,
      targetGroupMetric(container, group, 'UnHealthyHostCount', 'Maximum'),
    ]),
  );
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    period: CAPACITY_PERIOD,
    label: 'Unhealthy hosts, all target groups',
  });
}

/** An `AWS/ECS` metric of the service (`ClusterName, ServiceName`), free with Fargate. */
export function serviceMetric(container: MonitoredContainer, metricName: string): cloudwatch.Metric {
  const service = container.fargateService;
  return new cloudwatch.Metric({
    namespace: 'AWS/ECS',
    metricName,
    dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName },
    statistic: 'Average',
    period: REQUEST_PERIOD,
  });
}

/** Container Insights' count of the service's tasks in the RUNNING state (`ServiceName, ClusterName`). */
export function runningTasks(container: MonitoredContainer): cloudwatch.Metric {
  const service = container.fargateService;
  return new cloudwatch.Metric({
    namespace: 'ECS/ContainerInsights',
    metricName: 'RunningTaskCount',
    dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName },
    statistic: 'Average',
    period: CAPACITY_PERIOD,
  });
}

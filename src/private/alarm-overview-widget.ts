import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * An alarm-status widget whose alarm list is read at synth, not when the widget is added: the
 * dashboard puts it on top in its constructor, and services added later still appear in it.
 */
export class AlarmOverviewWidget extends cloudwatch.ConcreteWidget {
  constructor(private readonly title: string, private readonly alarms: () => cloudwatch.IAlarm[], width: number, height: number) {
    super(width, height);
  }

  public toJson(): any[] {
    const alarms = this.alarms();
    if (alarms.length === 0) {
      return [];
    }
    const widget = new cloudwatch.AlarmStatusWidget({
      title: this.title,
      alarms,
      width: this.width,
      height: this.height,
      sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
    });
    widget.position(this.x ?? 0, this.y ?? 0);
    return widget.toJson();
  }
}

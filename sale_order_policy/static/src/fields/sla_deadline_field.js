import { Component, onWillUnmount, useState } from "@odoo/owl";
import { formatDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

const { DateTime } = luxon;

/** "2 d 3 h", "3 h 20 min", "12 min" */
export function formatSlaDuration(totalMinutes) {
    const minutes = Math.max(Math.round(totalMinutes), 0);
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const rest = minutes % 60;
    if (days) {
        return _t("%(days)s d %(hours)s h", { days, hours });
    }
    if (hours) {
        return _t("%(hours)s h %(minutes)s min", { hours, minutes: rest });
    }
    return _t("%(minutes)s min", { minutes: rest });
}

/**
 * Review deadline (审核时限) as a live badge: green while on track, orange once the
 * reminder share of the SLA has elapsed, red when overdue or breached.
 */
export class SlaDeadlineField extends Component {
    static template = "sale_order_policy.SlaDeadlineField";
    static props = { ...standardFieldProps };

    setup() {
        this.clock = useState({ now: DateTime.now() });
        const timer = setInterval(() => (this.clock.now = DateTime.now()), 30000);
        onWillUnmount(() => clearInterval(timer));
    }

    get badge() {
        const data = this.props.record.data;
        const deadline = data[this.props.name];
        if (!deadline) {
            return null;
        }
        const title = _t("Deadline: %s", formatDateTime(deadline));
        if (data.state !== "pending") {
            if (!["approved", "rejected"].includes(data.state)) {
                return null;
            }
            return data.sla_breached
                ? { label: _t("Missed"), color: "danger", title }
                : { label: _t("On time"), color: "success", title };
        }
        const minutesLeft = deadline.diff(this.clock.now, "minutes").minutes;
        if (data.sla_breached || minutesLeft <= 0) {
            return {
                label: _t("Overdue by %s", formatSlaDuration(-minutesLeft)),
                color: "danger",
                title,
            };
        }
        const reminder = data.reminder_due_on;
        return {
            label: _t("%s left", formatSlaDuration(minutesLeft)),
            color: reminder && this.clock.now >= reminder ? "warning" : "success",
            title,
        };
    }
}

export const slaDeadlineField = {
    component: SlaDeadlineField,
    displayName: _t("Review Deadline Countdown"),
    supportedTypes: ["datetime"],
    fieldDependencies: [
        { name: "state", type: "selection" },
        { name: "sla_breached", type: "boolean" },
        { name: "reminder_due_on", type: "datetime" },
    ],
};

registry.category("fields").add("sla_deadline", slaDeadlineField);

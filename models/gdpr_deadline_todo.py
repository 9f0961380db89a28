"""The to-do of a privacy record with a legal deadline (a data-subject
request, a breach): one per record, for its responsible user."""


def sync_deadline_todo(record, due=None, summary=None, done_feedback=None):
    """Keep ``record``'s one to-do due on ``due`` (created with ``summary``
    when missing); with ``done_feedback``, mark it done instead: nothing is
    left to do before the deadline."""
    todo = record.env.ref("mail.mail_activity_data_todo")
    activities = record.activity_ids.filtered(lambda a: a.activity_type_id == todo)
    if done_feedback:
        activities.action_feedback(feedback=done_feedback)
    elif activities:
        activities.write({"date_deadline": due, "user_id": record.user_id.id})
    else:
        record.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=due,
            summary=summary,
            user_id=(record.user_id or record.env.user).id,
        )

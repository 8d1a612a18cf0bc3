"""The agenda: appointments, reminders (one-off and recurring, e-mailed exactly once by Celery
beat, in the person's time zone), a private calendar feed, and the recommended care (child
examinations, dental check-ups, screenings, vaccinations) with its prevention messages
(docs/AGENDA.md, docs/PREVENTION.md)."""

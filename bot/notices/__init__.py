"""The consequences of domain events: notices to people and staff cards, in one transaction.

Services record what happened (`bot.domain.events`); at commit the unit of work hands each event
to `Consequences`, which runs the one handler registered for its type. A handler renders each
person's notice in their own language into the outbox and brings every staff card up to date.
This is the only place that tells people of what someone else did, whichever door did it.
"""

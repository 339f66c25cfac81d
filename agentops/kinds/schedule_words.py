"""A schedule said in words ("every weekday at 6:30", "nightly at 2am", "every 15 minutes", "on
the 1st of every month at 4am") as the five cron fields a CronJob takes.

The model writes what a command says; a schedule said in words is not written in the command,
so the guard could only drop it. This reads the common ways people say one and returns None for
anything else (no time for a daily job, two times, a recurrence it does not know): a schedule
it cannot say is left out and the edit asks for it, never guessed.
"""

from __future__ import annotations

import re

from agentops.textnorm import NUMBER_WORDS as _NUMBER_WORDS
_DAYS = {"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5,
         "saturday": 6, "sun": 0, "mon": 1, "tue": 2, "tues": 2, "wed": 3, "thu": 4, "thur": 4,
         "thurs": 4, "fri": 5, "sat": 6, "wednes": 3, "satur": 6}
# (the whole of "wednesday" and "saturday": "wed" and "sat" are not their stems)
_DAY = r"(sun|mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur)(?:day)?s?"
# "instead of weekly", "from 2am": what the schedule was, not what it is to be
_FORMER = re.compile(r"\b(?:instead\s+of|rather\s+than|from|was|used\s+to\s+be|not(?=\s+at\b)|no\s+longer)\s+[^,;.()]*?"
                     r"(?=\s+to\b|[,;.()]|$)")
_TIME = re.compile(
    r"\b(?:(midnight)|(noon|midday)"
    r"|(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)"
    r"|(\d{1,2}):(\d{2})"
    r"|(?<=\bat\s)(\d{1,2})(?!\s*(?:%|min|mins|minutes|hours|h\b|gb|mb|days|nodes|pods|replicas))\b)")


# "half past six", "quarter past 3", "quarter to 7": said as clock times before they are read
_PAST = re.compile(r"\b(half|quarter)\s+(past|after|to)\s+(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\b"
                   r"(\s*(?:am|pm|a\.m\.|p\.m\.))?")
# "at 0300", "0230 utc": a four-digit 24-hour time said with "at" or "hours"/"hrs"
_MILITARY = re.compile(r"(?<=\bat\s)([01]\d|2[0-3])([0-5]\d)\b|\b([01]\d|2[0-3])([0-5]\d)\s*(?:hours|hrs|h)\b")


def _clock(match: re.Match) -> str:
    part, way, hour, ampm = match.groups()
    hour = int(_NUMBER_WORDS.get(hour, hour))
    minute = 30 if part == "half" else 15
    if way == "to":
        hour, minute = (hour - 1) % 24, 45
    return f"{hour}:{minute:02d}{(ampm or '').strip()}"


# "at six", "at seven thirty", "six am", "eleven o'clock": an hour said as a word (twelve at
# most; "at two replicas" is not a time: a word after it must say one, or nothing follow but
# the end of a clause or a part of the day)
_HOUR_WORDS = {w: n for w, n in _NUMBER_WORDS.items() if 1 <= n <= 12 and w != "dozen"}
_WORD_TIME = re.compile(
    r"\b(?:(?<=\bat\s)(" + "|".join(_HOUR_WORDS) + r")(?:\s+(thirty|fifteen|forty-?five))?"
    r"(?=\s*(?:am\b|pm\b|a\.m\.|p\.m\.|o'?clock\b|in\s+the\b|at\s+night\b|sharp\b|every\b|each\b|daily\b"
    r"|nightly\b|on\b|[,;.)]|$))"
    r"|(" + "|".join(_HOUR_WORDS) + r")(?=\s*(?:am|pm|a\.m\.|p\.m\.|o'?clock)\b))")


def _word_time(match: re.Match) -> str:
    hour_word, minutes, alone = match.groups()
    hour = _HOUR_WORDS[hour_word or alone]
    minute = {"thirty": 30, "fifteen": 15}.get(minutes or "", 45 if minutes else 0)
    return f"{hour}:{minute:02d}"


def _as_clock_times(text: str) -> str:
    text = _PAST.sub(_clock, text)
    text = _WORD_TIME.sub(_word_time, text)
    return _MILITARY.sub(lambda m: f"{m.group(1) or m.group(3)}:{m.group(2) or m.group(4)}", text)


def _times(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _TIME.finditer(text):
        midnight, noon, h12, m12, ampm, h24, m24, bare = m.groups()
        if midnight:
            hour, minute = 0, 0
        elif noon:
            hour, minute = 12, 0
        elif h12 is not None:
            hour, minute = int(h12) % 12, int(m12 or 0)
            if ampm.startswith("p"):
                hour += 12
            if int(h12) > 12:
                continue
        elif h24 is not None:
            hour, minute = int(h24), int(m24)
        else:
            hour, minute = int(bare), 0
        if (h24 is not None or bare is not None) and 1 <= hour < 12 and (re.match(
                r"\s*(?:o'?clock\s+)?(?:in\s+the\s+(?:evening|afternoon)|at\s+night|tonight|pm\b)", text[m.end():])
                or re.search(r"\b(?:evening|afternoon)s?\s+(?:at\s+)?$", text[:m.start()])):
            hour += 12  # "at 7 in the evening", "at 10 at night", "every evening at 7"
        if hour <= 23 and minute <= 59 and (hour, minute) not in out:
            out.append((hour, minute))
    return out


def _days_field(lowered: str) -> str:
    """The day-of-week field the words say: "1-5" for weekdays (and "monday through friday"),
    "0,6" for weekends, the days named, or "*"."""
    if re.search(rf"\b(weekdays?|every\s+weekday|business\s+days?|work\s*days?|week\s*nights?|school\s+nights?"
                 rf"|mon(?:day)?\s*(?:-|to|through|thru|till|until)\s*fri(?:day)?)\b", lowered):
        return "1-5"
    if re.search(r"\b(weekends?)\b", lowered):
        return "0,6"
    days = []
    for m in re.finditer(rf"\b(?:every|on|each)\s+{_DAY}\b|\b{_DAY}\b", lowered):
        word = next(g for g in m.groups() if g)
        day = _DAYS[word]
        if day not in days:
            days.append(day)
    return ",".join(map(str, sorted(days))) or "*"


def _hours_window(lowered: str) -> str | None:
    """The hour field of a repeat inside a window ("between 8am and 6pm": "8-17"), "*" where no
    window is said, None where one is said that is not clear ("during business hours": whose
    hours; "overnight")."""
    window = re.search(r"\b(?:between|from)\s+(\S+(?:\s*(?:am|pm))?)\s+(?:and|to|till|until|-)\s+(\S+(?:\s*(?:am|pm))?)",
                       lowered)
    if window:
        start, end = _times(window.group(1)), _times(window.group(2))
        if not (start and end) and re.fullmatch(r"\d{1,2}", window.group(1)) and re.fullmatch(r"\d{1,2}", window.group(2)):
            # "between 8 and 6": the end before the start is in the afternoon
            first, last = int(window.group(1)), int(window.group(2))
            start, end = [(first, 0)], [(last + 12 if last <= first else last, 0)]
        if end == [(0, 0)]:
            end = [(24, 0)]  # "till midnight": to the end of the day
        if start and end and start[0][1] == 0 and end[0][1] == 0 and start[0][0] < end[0][0] <= 24:
            return f"{start[0][0]}-{end[0][0] - 1}"
        return None
    if re.search(r"\b(?:business|office|working|work|opening|peak|off-?peak)\s+hours\b|\bovernight\b", lowered):
        return None
    return "*"


_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


def cron_from_words(text: str, current: str | None = None) -> str | None:
    """The cron schedule `text` says in words, or None where it says none or not clearly.
    `current`: the job's schedule now; a time said alone ("move it to 5am") moves the time and
    keeps its days."""
    lowered = " " + re.sub(r"\s+", " ", text.lower()) + " "
    said = lowered  # "from 9 to 5" is a window, not what the schedule was
    lowered = _FORMER.sub(" ", lowered)
    # a schedule written out as cron fields is the schedule ("schedule -> 0 */2 * * *")
    written = re.search(r"(?<!\S)((?:[0-9*/,-]+ ){4}[0-9*/,-]+)(?!\S)", lowered)
    if written and re.search(r"[*/]", written.group(1)):
        return written.group(1)
    lowered = _as_clock_times(lowered)
    times = _times(lowered)

    every = re.search(r"\bevery\s+(\d+|" + "|".join(_NUMBER_WORDS) + r")\s*(min|mins|minutes|m|hours|hrs|h)\b",
                      lowered)
    if every:
        n = int(_NUMBER_WORDS.get(every.group(1), every.group(1)))
        days = _days_field(lowered)  # "every 2 hours on weekdays"
        hours = _hours_window(_as_clock_times(said))  # "every 15 minutes between 8am and 6pm"
        if hours is None:
            return None
        if every.group(2).startswith("m"):
            return f"*/{n} {hours} * * {days}" if 0 < n < 60 else None
        if hours != "*":
            return None  # "every 2 hours from 8 to 6": whose hours the step counts from is not said
        return f"0 */{n} * * {days}" if 0 < n < 24 else None
    if re.search(r"\bevery\s+(?:other|second)\s+hour\b", lowered):
        return "0 */2 * * *"
    if re.search(r"\bevery\s+(?:half\s+(?:an\s+)?hour|30\s+min)", lowered):
        return "*/30 * * * *"
    if re.search(r"\bevery\s+quarter\s+(?:of\s+an\s+)?hour\b", lowered):
        return "*/15 * * * *"
    if re.search(r"\bevery\s+minute\b", lowered):
        return "* * * * *"
    past = re.search(r"\b(?:at\s+)?(\d{1,2}|quarter|half)\s+(?:minutes?\s+)?(?:past|after)\s+(?:every|each|the)\s+hour\b"
                     r"|\bevery\s+hour\s+(?:at|on)\s+(?:the\s+)?:?(\d{1,2}|quarter|half)(?:\s+past)?\b(?!\s*(?:am|pm))"
                     r"|\bat\s+:(\d{2})\s+(?:every|each|past\s+the)\s+hour\b"
                     r"|\bhourly\s+at\s+(?::|minute\s+)?(\d{1,2})(?:\s+past)?\b(?!\s*(?:am|pm|:))", lowered)
    if past:
        said = next(g for g in past.groups() if g)
        minute = {"quarter": 15, "half": 30}.get(said) or int(said)
        return f"{minute} * * * *" if minute <= 59 else None
    if re.search(r"\b(hourly|every\s+hour|once\s+an\s+hour|on\s+the\s+hour)\b", lowered):
        return "0 * * * *"

    # "twice a day, at 3 and 15": several hours on the hour
    hours = re.findall(r"\bat\s+(\d{1,2})\s+and\s+(\d{1,2})\b", lowered)
    if re.search(r"\btwice\s+(?:a\s+day|daily)\b", lowered):
        if hours and all(int(h) <= 23 for h in hours[0]):
            return f"0 {hours[0][0]},{hours[0][1]} * * *"
        if len(times) == 2 and times[0][1] == times[1][1]:
            # "twice a day, 6am and 6pm"
            return f"{times[0][1]} {','.join(str(h) for h, _ in sorted(times))} * * " + _days_field(lowered)
        return None
    pair = re.search(r"\b(?:at\s+)?(\d{1,2}(?::\d{2})?\s*(?:am|pm)?)\s+and\s+(\d{1,2}(?::\d{2})?\s*(?:am|pm))\b", lowered)
    if pair and len(times) == 2 and times[0][1] == times[1][1] and not re.search(r"\bor\b", lowered):
        # "at 9am and 5pm": one job at both hours (cron's list), when the minutes agree
        hours = ",".join(str(h) for h, _ in sorted(times))
        return f"{times[0][1]} {hours} * * " + _days_field(lowered)
    if len(times) > 1:
        # "move the invoice run to 3am, the backup overlaps at 2": the time a move goes to is
        # the schedule, a time in the reason is not; two targets are still two times
        targets = [t for m in re.finditer(r"\bto\s+(?=\S)", lowered) for t in _times(lowered[m.end():])[:1]
                   if _TIME.match(lowered, m.end())]
        if not targets:
            # "should run at 1am instead of 2, finance want it before the 6am cutoff": a time
            # said as a limit (before, after, by, until) is the reason, not when it runs
            targets = [t for m in _TIME.finditer(lowered) for t in _times(m.group())[:1]
                       if not re.search(r"\b(?:before|after|by|until|till|since|past)\s+(?:the\s+)?$",
                                        lowered[max(0, m.start() - 20):m.start()])]
        if not re.search(r"\bor\b", lowered):  # "to 3am or 4am": not one time
            times = targets if len(set(targets)) == 1 else times
    if len(times) != 1:
        return None
    hour, minute = times[0]
    at = f"{minute} {hour}"

    if re.search(r"\b(fortnightly|biweekly|every\s+(?:\d+|other|two|three|four)\s+(?:weeks|months)"
                 r"|every\s+other\s+" + _DAY + r")\b", lowered):
        return None  # cron has no "every second week"
    week = _days_field(lowered)
    if week == "1-5":
        return f"{at} * * 1-5"
    days = [int(d) for d in week.split(",")] if week != "*" else []
    dated = re.search(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b",
                      lowered)
    if dated and re.search(r"\b(cron|job|run|schedule)", lowered):
        day = int(dated.group(2))
        return f"{at} {day} {_MONTHS[dated.group(1)]} *" if 1 <= day <= 31 and not days else None
    month = re.search(r"\b(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+)?of\s+(?:every|each|the)\s+month\b"
                      r"|\bfirst\s+(?:day\s+)?of\s+(?:every|each|the)\s+month\b", lowered)
    # "on the 2nd", "on the first": a day of the month; "the last day" cron cannot say
    ordinal = re.search(r"\bon\s+the\s+(?:(\d{1,2})(?:st|nd|rd|th)|(first|second|third))\b(?!\s+(?:of\s+the\s+)?(?:week|sun|mon|tue|wed|thu|fri|sat))",
                        lowered)
    if re.search(r"\blast\s+day\b", lowered):
        return None
    if month or ordinal:
        dom = (int(month.group(1)) if month and month.group(1) else 1 if month
               else int(ordinal.group(1)) if ordinal.group(1) else ("first", "second", "third").index(ordinal.group(2)) + 1)
        return f"{at} {dom} * *" if 1 <= dom <= 28 and not days else None
    if days:
        return f"{at} * * {','.join(map(str, sorted(days)))}"
    every_days = re.search(r"\bevery\s+(other|2|two|3|three)\s+days?\b", lowered)
    if every_days:
        # "every other day at 4am": cron's day-of-month step (it restarts each month)
        n = {"other": 2, "two": 2, "three": 3}.get(every_days.group(1)) or int(every_days.group(1))
        return f"{at} */{n} * *"
    if re.search(r"\b(weekly|monthly|yearly|fortnightly|biweekly|quarterly|every\s+week|every\s+month"
                 r"|every\s+(?:\d+|other|two|three|four)\s+(?:weeks|months))\b", lowered):
        return None  # which day is not said
    daily = re.search(r"\b(daily|nightly|every\s+(?:day|night|morning|evening)|each\s+(?:day|night)"
                      r"|once\s+a\s+day|a\s+day)\b", lowered)
    if current and not daily and len(current.split()) == 5:
        # a time alone on an existing job: the time moves, the days stay
        return f"{at} {' '.join(current.split()[2:])}"
    # a time alone: once a day at that time ("nightly at 2am", "run it at 3:30am")
    return f"{at} * * *"

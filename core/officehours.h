/* officehours.h — parsing the office hours of the business calendar from
 * their configuration text, e.g. "mon-thu 08:00-16:00; fri 08:00-11:00".
 * Entries are separated by ';'; each names a weekday or a range of weekdays
 * (sun mon tue wed thu fri sat; a range runs forward and may wrap past
 * Sunday: mon-sun is the whole week, sat-sun the weekend, fri-mon four days) and one
 * HH:MM-HH:MM span (24:00 allowed as a closing time). Weekdays not named are
 * closed; naming a weekday twice is an error. */
#ifndef ALURD_CORE_OFFICEHOURS_H
#define ALURD_CORE_OFFICEHOURS_H

#include "core/calendar.h"
#include "core/err.h"

/* Fills hours[0..6] (0 = Sunday). ERR_INVALID "calendar.office_hours" with
 * a detail naming the bad part. */
bool officehours_parse(const char *spec, struct cal_hours hours[7], struct err *e);

#endif

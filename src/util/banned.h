/*
 * banned.h - C library functions declass code must not call (STYLE.md).
 *
 * Included last by every source file of the library and the front ends:
 * a call to one of these names then expands to an undeclared identifier
 * that says what to use instead, and the build (-Werror) fails.  The list
 * follows Git's banned.h, plus declass's own.
 *
 * - Unbounded or truncating copies: strcpy, strcat, strncpy, strncat,
 *   sprintf, vsprintf.  Use dc_buf, dc_strndup or snprintf.
 * - Hidden state: strtok keeps its position in a static; strtok_r is
 *   banned with it, as in Git (scan with strchr / strcspn).
 * - Local time and static results: gmtime, localtime, ctime, ctime_r,
 *   asctime, asctime_r, mktime.  declass keeps time in UTC:
 *   dc_utc_now (util/date.c), or gmtime_r and strftime.
 * - No error detection: atoi, atol, atoll, atof.  Use strtol, strtoll,
 *   strtod and check the end pointer and errno.
 * - gets, which cannot be used safely at all.
 */
#ifndef DECLASS_BANNED_H
#define DECLASS_BANNED_H

#define DC_BANNED(func, instead) dc_banned_##func##_use_##instead

#undef strcpy
#define strcpy(...) DC_BANNED(strcpy, dc_buf)
#undef strcat
#define strcat(...) DC_BANNED(strcat, dc_buf)
#undef strncpy
#define strncpy(...) DC_BANNED(strncpy, dc_strndup_or_memcpy)
#undef strncat
#define strncat(...) DC_BANNED(strncat, dc_buf)
#undef sprintf
#define sprintf(...) DC_BANNED(sprintf, snprintf)
#undef vsprintf
#define vsprintf(...) DC_BANNED(vsprintf, vsnprintf)

#undef strtok
#define strtok(...) DC_BANNED(strtok, strcspn)
#undef strtok_r
#define strtok_r(...) DC_BANNED(strtok_r, strcspn)

#undef gmtime
#define gmtime(...) DC_BANNED(gmtime, gmtime_r)
#undef localtime
#define localtime(...) DC_BANNED(localtime, gmtime_r)
#undef ctime
#define ctime(...) DC_BANNED(ctime, strftime)
#undef ctime_r
#define ctime_r(...) DC_BANNED(ctime_r, strftime)
#undef asctime
#define asctime(...) DC_BANNED(asctime, strftime)
#undef asctime_r
#define asctime_r(...) DC_BANNED(asctime_r, strftime)
#undef mktime
#define mktime(...) DC_BANNED(mktime, utc_arithmetic)

#undef atoi
#define atoi(...) DC_BANNED(atoi, strtol)
#undef atol
#define atol(...) DC_BANNED(atol, strtol)
#undef atoll
#define atoll(...) DC_BANNED(atoll, strtoll)
#undef atof
#define atof(...) DC_BANNED(atof, strtod)

#undef gets
#define gets(...) DC_BANNED(gets, fgets)

#endif

/* Functions declass code must not use (STYLE.md): using one is a compile error. */
#ifndef DECLASS_BANNED_H
#define DECLASS_BANNED_H
#undef strcpy
#define strcpy(...) dc_banned_strcpy_use_dc_buf
#undef strcat
#define strcat(...) dc_banned_strcat_use_dc_buf
#undef sprintf
#define sprintf(...) dc_banned_sprintf_use_snprintf
#undef strtok
#define strtok(...) dc_banned_strtok
#undef atoi
#define atoi(...) dc_banned_atoi_use_strtol
#undef gets
#define gets(...) dc_banned_gets
#undef localtime
#define localtime(...) dc_banned_localtime_use_gmtime_r
#endif

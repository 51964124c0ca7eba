/*
 * The main of a fuzz target built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on each file named, or on each file in each
 * directory named (not recursive), and prints how many ran.  A crash is a
 * sanitizer report and a failing exit, as under libFuzzer.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path, size_t *n)
{
    char *data = NULL;
    size_t len = 0;
    dc_error err = {0};
    if (dc_read_file(path, (size_t)64 << 20, &data, &len, &err) != DC_OK) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return 1;
    }
    /* A copy of exactly len bytes, so reading past the end is caught. */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        free(data);
        return 1;
    }
    memcpy(copy, data, len);
    free(data);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    (*n)++;
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = 0;
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= run_file(argv[i], &n);
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) {
            bad = 1;
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) bad |= run_file(path, &n);
        }
        closedir(d);
    }
    printf("replay: %zu inputs\n", n);
    return bad || n == 0;
}

/*
 * The C baseline for `tally-bench xlsx`: writes the same usage sheet as the Swift writer, straight
 * through libxlsxwriter in constant-memory mode, and prints its time and peak memory as one JSON line.
 *
 *   cc -O2 -o usage_sheet usage_sheet.c -lxlsxwriter
 *   ./usage_sheet ROWS OUTPUT.xlsx TMPDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#define TEAMS 500

static long peak_kb(void) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!status) return -1;
    while (fgets(line, sizeof line, status)) {
        if (strncmp(line, "VmHWM:", 6) == 0) { kb = strtol(line + 6, NULL, 10); break; }
    }
    fclose(status);
    return kb;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s ROWS OUTPUT.xlsx TMPDIR\n", argv[0]);
        return 64;
    }
    long rows = strtol(argv[1], NULL, 10);
    static char teams[TEAMS][32], customers[TEAMS][32];
    static const char *actions[] = {"chat.completion", "embedding", "image.generation"};
    const char *headers[] = {"Day", "Team", "Customer", "Action", "Tokens", "Cost"};
    for (int t = 0; t < TEAMS; t++) {
        snprintf(teams[t], sizeof teams[t], "Team %d", t);
        snprintf(customers[t], sizeof customers[t], "cus_%08d", t * 7919);
    }

    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = argv[3], .use_zip64 = LXW_FALSE};
    lxw_workbook *workbook = workbook_new_opt(argv[2], &options);
    if (!workbook) return 73;
    lxw_worksheet *sheet = workbook_add_worksheet(workbook, "Usage");
    lxw_format *bold = workbook_add_format(workbook);
    format_set_bold(bold);
    lxw_format *date = workbook_add_format(workbook);
    format_set_num_format(date, "yyyy-mm-dd");
    lxw_format *integer = workbook_add_format(workbook);
    format_set_num_format(integer, "#,##0");
    lxw_format *money = workbook_add_format(workbook);
    format_set_num_format(money, "\"$\"#,##0.00");

    for (int c = 0; c < 6; c++) worksheet_write_string(sheet, 0, c, headers[c], bold);
    worksheet_freeze_panes(sheet, 1, 0);
    double first_day = 46327; /* 2026-11-01 */
    for (long i = 0; i < rows; i++) {
        lxw_row_t row = (lxw_row_t)(i + 1);
        long tokens = (i * 7919) % 10000 + 1;
        worksheet_write_number(sheet, row, 0, first_day + (double)((i * 30) / rows), date);
        worksheet_write_string(sheet, row, 1, teams[i % TEAMS], NULL);
        worksheet_write_string(sheet, row, 2, customers[i % TEAMS], NULL);
        worksheet_write_string(sheet, row, 3, actions[i % 3], NULL);
        worksheet_write_number(sheet, row, 4, (double)tokens, integer);
        worksheet_write_number(sheet, row, 5, (double)(tokens * 3) / 100.0, money);
    }
    worksheet_autofilter(sheet, 0, 0, (lxw_row_t)rows, 5);
    double widths[] = {12, 11, 14, 18, 9, 10};
    for (int c = 0; c < 6; c++) worksheet_set_column(sheet, c, c, widths[c], NULL);
    lxw_error error = workbook_close(workbook);
    clock_gettime(CLOCK_MONOTONIC, &end);
    if (error) {
        fprintf(stderr, "%s\n", lxw_strerror(error));
        return 73;
    }
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("{\"writer\":\"c\",\"rows\":%ld,\"seconds\":%.3f,\"peak_kb\":%ld}\n", rows, seconds, peak_kb());
    return 0;
}

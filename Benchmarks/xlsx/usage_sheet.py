"""The Python baseline for `tally-bench xlsx`: the same usage sheet with XlsxWriter in constant-memory
mode. Prints its time and peak memory as one JSON line.

    python3 usage_sheet.py ROWS OUTPUT.xlsx TMPDIR
"""
import json
import resource
import sys
import time

import xlsxwriter

TEAMS = 500


def main():
    rows, output, tmpdir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    teams = [f"Team {t}" for t in range(TEAMS)]
    customers = [f"cus_{t * 7919:08d}" for t in range(TEAMS)]
    actions = ["chat.completion", "embedding", "image.generation"]
    start = time.monotonic()
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "tmpdir": tmpdir})
    sheet = workbook.add_worksheet("Usage")
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    integer = workbook.add_format({"num_format": "#,##0"})
    money = workbook.add_format({"num_format": '"$"#,##0.00'})
    for column, header in enumerate(["Day", "Team", "Customer", "Action", "Tokens", "Cost"]):
        sheet.write_string(0, column, header, bold)
    sheet.freeze_panes(1, 0)
    first_day = 46327  # 2026-11-01
    for i in range(rows):
        row = i + 1
        tokens = (i * 7919) % 10000 + 1
        sheet.write_number(row, 0, first_day + (i * 30) // rows, date)
        sheet.write_string(row, 1, teams[i % TEAMS])
        sheet.write_string(row, 2, customers[i % TEAMS])
        sheet.write_string(row, 3, actions[i % 3])
        sheet.write_number(row, 4, tokens, integer)
        sheet.write_number(row, 5, tokens * 3 / 100.0, money)
    sheet.autofilter(0, 0, rows, 5)
    for column, width in enumerate([12, 11, 14, 18, 9, 10]):
        sheet.set_column(column, column, width)
    workbook.close()
    seconds = time.monotonic() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"writer": "python", "rows": rows, "seconds": round(seconds, 3), "peak_kb": peak_kb}))


if __name__ == "__main__":
    main()

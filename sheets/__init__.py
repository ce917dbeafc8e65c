"""Scenarios and rosters as .xlsx workbooks (openpyxl): a template to fill in, its import
with every problem named by sheet, row and column, and a roster's export."""

from sheets.read import WorkbookError, read_workbook
from sheets.roster import roster_workbook
from sheets.write import scenario_workbook

__all__ = ["WorkbookError", "read_workbook", "roster_workbook", "scenario_workbook"]

#!/bin/sh
# Reproductions of the mismatch classes the differential oracle (oracle.py)
# found on 2026-12-04 (docs/RELIABILITY.md, "Findings").  Run from the source
# tree after building build-asan; each section prints the disclosing output.
B=$PWD/build-asan/declass; T=$(mktemp -d); cd "$T"; export DECLASS_DB=$T/t.db
adm() { DECLASS_USER=admin DECLASS_PASSWORD=pw "$B" "$@"; }
"$B" init; DECLASS_PASSWORD=pw "$B" user add admin --clearance TS --role admin; mkdir c
echo "== A: an old version shows a portion withheld since"
printf '5. Letter From the Ambassador\n\n(S) The asset is zqkaaaaaaa.\n\nPlain text.\n' > c/d5.txt
adm ingest -q --released c/d5.txt; adm withhold c/d5 p1 --reason 25X1 --until 2040-12-31
"$B" show c/d5 --version 1 | grep zqk
echo "== B: a hidden dateline's date survives when the date is written elsewhere"
printf '7. Memorandum for the Record\n\nWashington, July 1, 1959.\n\nThe talks of July 1, 1959 went on.\n' > c/d7.txt
adm ingest -q --released c/d7.txt; adm withhold c/d7 p1 --reason 25X1 --until 2040-12-31
"$B" show c/d7 --json | grep '"date'
echo "== C: list, search hits, facets and date filters use the stored date"
printf '8. Memorandum for the Record\n\nWashington, March 3, 1957.\n\nThe talks went on.\n' > c/d8.txt
adm ingest -q --released c/d8.txt; adm withhold c/d8 p1 --reason 25X1 --until 2040-12-31
"$B" show c/d8 --json | grep '"date"'; "$B" list --json | grep 1957; "$B" search 'date:1957'
echo "== D: a reference standing only in withheld text is indexed when its target is a substring of visible text"
printf '2. Memorandum on Ports\n\nThe plan is discussed in Document 5.\n\nThe meeting was held in 1950.\n' > c/d2.txt
adm ingest -q --released c/d2.txt; adm withhold c/d2 p1 --reason 25X1 --until 2040-12-31
"$B" search 'cites:5'; "$B" refs c/d2 --json | grep -c '"target"'
echo "== E: the public's scores change with a document it may not read"
printf '1. Memorandum on Fisheries\n\nThe treaty on fisheries was signed.\n' > c/d1.txt
adm ingest -q --released c/d1.txt; "$B" search treaty --json | grep -o '"score": [0-9.]*'
printf '12. Memorandum on Tariffs\n\nSECRET\n\n(S) The treaty treaty treaty on tariffs.\n' > c/d12.txt
adm ingest -q c/d12.txt; "$B" search treaty --json | grep -o '"score": [0-9.]*'
echo "== F: equal scores are ordered by re-indexing, which hidden review causes"
printf '3. Memorandum\n\nThe plan under NSC 5817.\n\nMore under NSC 5817.\n' > c/d3.txt
printf '4. Memorandum\n\nThe plan under NSC 5817.\n' > c/d4.txt
adm ingest -q --released c/d3.txt c/d4.txt; "$B" search 'cites:"NSC 5817"' | grep '^[0-9]'
adm withhold c/d3 p1 --reason 25X1 --until 2040-12-31; "$B" search 'cites:"NSC 5817"' | grep '^[0-9]'
echo "== G: the gap lines of the reader's view are not searchable"
"$B" search '"not declassified"'
echo "== H: gaps of hidden portions come after the source's own gaps"
printf '9. Telegram\n\n(S) Hidden part.\n\n[1 line of source text not declassified]\n\nPlain part.\n' > c/d9.txt
adm ingest -q --released c/d9.txt; adm withhold c/d9 p1 --reason 25X1 --until 2040-12-31
"$B" show c/d9 --json | grep '"anchor"'
echo "== I: versions lists review of portions the reader may not read"
DECLASS_NEW_PASSWORD=pw2 adm user add sec --clearance SECRET
printf '6. Memorandum on Bases\n\nSECRET\n\n(S) Visible part.\n\n(TS) Hidden part.\n' > c/d6.txt
adm ingest -q c/d6.txt; adm mark c/d6 p3 --classification TS --compartment ANNEX-F
DECLASS_USER=sec DECLASS_PASSWORD=pw2 "$B" versions c/d6

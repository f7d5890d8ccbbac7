# Renders run-bench's results.tsv (one row per file x readers x source) as one table row per
# file x readers, sources side by side.
#   fmt=text  aligned terminal table      fmt=md  markdown table      fmt=cpu  daemon CPU table
#   srcs      the sources measured, in column order ("kernel lensfs lxcfs")

function has(s) { return (" " srcs " ") ~ (" " s " ") }
function us(ns) { return sprintf("%.1f", ns / 1e3) }
function ratio(a, b) { return (a > 0 && b > 0) ? sprintf("%.2fx", a / b) : "-" }

# p50, p99 and ops/s of one source; "*" marks a cell where some reads failed.
function cell(k,    a, b, o) {
    if (!(k in ops)) { a = "-"; b = "-"; o = "-" }
    else if (ops[k] == 0) { a = "fail"; b = "fail"; o = "0*" }
    else { a = us(p50[k]); b = us(p99[k]); o = sprintf("%.0f", ops[k]) (err[k] > 0 ? "*" : "") }
    return fmt == "md" ? " " a " | " b " | " o " |" : sprintf(" | %8s %8s %9s", a, b, o)
}

function column(v, width) { return fmt == "md" ? " " v " |" : sprintf(" | %" width "s", v) }

function print_header(    h, h2, i) {
    if (fmt == "md") {
        h = "| file | readers |"; h2 = "| --- | ---: |"
        for (i = 1; i <= ns; i++) {
            h = h " " S[i] " p50 µs | " S[i] " p99 µs | " S[i] " ops/s |"
            h2 = h2 " ---: | ---: | ---: |"
        }
        if (lx_le) { h = h " lxcfs/lensfs p50 |"; h2 = h2 " ---: |" }
        if (le_ke) { h = h " lensfs/kernel p50 |"; h2 = h2 " ---: |" }
    } else {
        h = sprintf("%-30s %3s", "", ""); h2 = sprintf("%-30s %3s", "file", "thr")
        for (i = 1; i <= ns; i++) {
            h = h sprintf(" | %-27s", S[i])
            h2 = h2 sprintf(" | %8s %8s %9s", "p50 us", "p99 us", "ops/s")
        }
        if (lx_le) { h = h sprintf(" | %-12s", "p50 ratio"); h2 = h2 sprintf(" | %12s", "lxcfs/lensfs") }
        if (le_ke) { h = h sprintf(" | %-13s", lx_le ? "" : "p50 ratio"); h2 = h2 sprintf(" | %13s", "lensfs/kernel") }
    }
    print h; print h2
}

function print_cpu(    r, K, line) {
    print "| file | readers |" (has("lensfs") ? " lensfs CPU µs/read |" : "") \
        (has("lxcfs") ? " lxcfs CPU µs/read |" : "")
    print "| --- | ---: |" (has("lensfs") ? " ---: |" : "") (has("lxcfs") ? " ---: |" : "")
    for (r = 1; r <= nr; r++) {
        split(rows[r], K, SUBSEP); line = "| " K[1] " | " K[2] " |"
        if (has("lensfs")) line = line " " cpu[rows[r] SUBSEP "lensfs"] " |"
        if (has("lxcfs")) line = line " " cpu[rows[r] SUBSEP "lxcfs"] " |"
        print line
    }
}

NR > 1 {
    k = $1 SUBSEP $2 SUBSEP $3
    p50[k] = $4; p99[k] = $5; ops[k] = $6; err[k] = $7; cpu[k] = $9
    if (err[k] > 0) notes[++nn] = $1 ", " $2 " readers, " $3 ": " $7 " failed reads (" $10 ")"
    if (!(($1 SUBSEP $2) in seen)) { seen[$1 SUBSEP $2] = 1; rows[++nr] = $1 SUBSEP $2 }
}

END {
    ns = split(srcs, S, " ")
    lx_le = has("lxcfs") && has("lensfs"); le_ke = has("lensfs") && has("kernel")
    if (fmt == "cpu") { print_cpu(); exit }
    print_header()
    for (r = 1; r <= nr; r++) {
        split(rows[r], K, SUBSEP)
        line = fmt == "md" ? "| " K[1] " | " K[2] " |" : sprintf("%-30s %3s", K[1], K[2])
        for (i = 1; i <= ns; i++) line = line cell(rows[r] SUBSEP S[i])
        lx = rows[r] SUBSEP "lxcfs"; le = rows[r] SUBSEP "lensfs"; ke = rows[r] SUBSEP "kernel"
        if (lx_le) line = line column(ratio(p50[lx], p50[le]), 12)
        if (le_ke) line = line column(ratio(p50[le], p50[ke]), 13)
        print line
    }
    if (nn > 0 && fmt == "md") print ""
    for (i = 1; i <= nn; i++) print "* " notes[i]
}

# Renders run-bench's results.tsv (one line per file x readers x source) as tables with one row
# per file x readers and the sources side by side.
#   fmt   text (aligned columns, for the terminal) or md (markdown)
#   srcs  the sources measured, in column order, e.g. "kernel floor lensfs-tree lensfs-shared lxcfs"
# Tables, each left out when its sources were not measured:
#   latency  p50 / p99 of each source, and the p50 ratios lensfs/floor and lxcfs/lensfs
#   rate     reads per second of all readers together
#   cpu      daemon CPU time per read, and what lensfs spends beyond the floor
#   goals    issue 8's speed goals: in how many rows each one is met, and the worst row

function has(s) { return index(" " srcs " ", " " s " ") > 0 }
function short(s) { return s == "lensfs-tree" ? "tree" : s == "lensfs-shared" ? "shared" : s }
function is_num(v) { return v ~ /^[-+]?[0-9]+(\.[0-9]+)?$/ }
function readers(n) { return n " reader" (n == 1 ? "" : "s") }
function us(ns) { return sprintf("%.1f", ns / 1e3) }

# ---------------------------------------------------------------- one table at a time

function begin_table(title) {
    delete H; delete A; delete T
    nh = 0; nt = 0; caption = title
}
function column(name, left) { H[++nh] = name; A[nh] = left }
function add_row(cells) { T[++nt] = cells } # cells joined by tabs

function md_line(cells,    C, n, i, s) {
    n = split(cells, C, "\t"); s = "|"
    for (i = 1; i <= n; i++) s = s " " C[i] " |"
    return s
}

function text_line(cells, W,    C, n, i, s) {
    n = split(cells, C, "\t"); s = ""
    for (i = 1; i <= n; i++)
        s = s (i > 1 ? "  " : "") sprintf("%" (A[i] ? "-" : "") W[i] "s", C[i])
    sub(/ +$/, "", s)
    return s
}

function end_table(    head, rule, W, C, r, i, n) {
    printf "%s%s\n\n", caption, (fmt == "md" ? ":" : "")
    for (i = 1; i <= nh; i++) {
        head = head (i > 1 ? "\t" : "") H[i]
        rule = rule (i > 1 ? "\t" : "") (A[i] ? "---" : "---:")
        W[i] = length(H[i])
    }
    if (fmt == "md") {
        print md_line(head); print md_line(rule)
        for (r = 1; r <= nt; r++) print md_line(T[r])
    } else {
        for (r = 1; r <= nt; r++) {
            n = split(T[r], C, "\t")
            for (i = 1; i <= n; i++) if (length(C[i]) > W[i]) W[i] = length(C[i])
        }
        print text_line(head, W)
        for (r = 1; r <= nt; r++) print text_line(T[r], W)
    }
    print ""
}

# ---------------------------------------------------------------- cells

function measured(k) { return (k in ops) && ops[k] > 0 }
function mark(k) { return err[k] > 0 ? "*" : "" }

function latency_cell(k) {
    if (!(k in ops)) return "-"
    if (ops[k] == 0) return "fail"
    return us(p50[k]) " / " us(p99[k]) mark(k)
}

function rate_cell(k) {
    if (!(k in ops)) return "-"
    return sprintf("%.0f", ops[k]) mark(k)
}

# No figure when no read succeeded: failed opens are not what the table compares.
function cpu_cell(k) { return measured(k) && is_num(cpu[k]) ? cpu[k] mark(k) : "-" }

# a / b of two sources' p50 in one row, "-" when either is missing.
function ratio(row, a, b,    ka, kb) {
    ka = row SUBSEP a; kb = row SUBSEP b
    return measured(ka) && measured(kb) ? sprintf("%.2f", p50[ka] / p50[kb]) : "-"
}

# CPU per read of source a beyond the floor's, in µs.
function excess(row, a,    ka, kf) {
    ka = row SUBSEP a; kf = row SUBSEP "floor"
    if (!measured(ka) || !measured(kf) || !is_num(cpu[ka]) || !is_num(cpu[kf])) return "-"
    return sprintf("%+.1f", cpu[ka] - cpu[kf])
}

function row_label(r,    K) { split(rows[r], K, SUBSEP); return K[1] "\t" K[2] }
function row_name(row,    K) { split(row, K, SUBSEP); return K[1] ", " readers(K[2]) }

# ---------------------------------------------------------------- the tables

# The ratios the issue asks for: name, numerator, denominator.
function define_ratios() {
    nq = 0
    add_ratio("lensfs-tree", "floor"); add_ratio("lensfs-shared", "floor")
    add_ratio("lxcfs", "lensfs-tree"); add_ratio("lxcfs", "lensfs-shared")
}
function add_ratio(a, b) { if (has(a) && has(b)) { QA[++nq] = a; QB[nq] = b } }

function latency_table(    i, r, s) {
    begin_table("Latency of one read (open + read to EOF + close), p50 / p99 in " unit \
        "; ratios of p50 (above 1: the first is slower)")
    column("file", 1); column("readers", 0)
    for (i = 1; i <= ns; i++) column(S[i], 0)
    for (i = 1; i <= nq; i++) column(short(QA[i]) "/" short(QB[i]), 0)
    for (r = 1; r <= nr; r++) {
        s = row_label(r)
        for (i = 1; i <= ns; i++) s = s "\t" latency_cell(rows[r] SUBSEP S[i])
        for (i = 1; i <= nq; i++) s = s "\t" ratio(rows[r], QA[i], QB[i])
        add_row(s)
    }
    end_table()
}

function rate_table(    i, r, s) {
    begin_table("Reads per second, all readers together")
    column("file", 1); column("readers", 0)
    for (i = 1; i <= ns; i++) column(S[i], 0)
    for (r = 1; r <= nr; r++) {
        s = row_label(r)
        for (i = 1; i <= ns; i++) s = s "\t" rate_cell(rows[r] SUBSEP S[i])
        add_row(s)
    }
    end_table()
}

function cpu_table(    i, r, s, n, nx, D, X) {
    for (i = 1; i <= ns; i++) if (S[i] != "kernel") D[++n] = S[i]
    if (n == 0) return
    if (has("floor")) {
        if (has("lensfs-tree")) X[++nx] = "lensfs-tree"
        if (has("lensfs-shared")) X[++nx] = "lensfs-shared"
    }
    begin_table("Daemon CPU time per read in " unit " (utime + stime of the daemon over the" \
        " cell / reads it served)" (nx > 0 ? ", and lensfs's beyond the floor's" : ""))
    column("file", 1); column("readers", 0)
    for (i = 1; i <= n; i++) column(D[i], 0)
    for (i = 1; i <= nx; i++) column(short(X[i]) "-floor", 0)
    for (r = 1; r <= nr; r++) {
        s = row_label(r)
        for (i = 1; i <= n; i++) s = s "\t" cpu_cell(rows[r] SUBSEP D[i])
        for (i = 1; i <= nx; i++) s = s "\t" excess(rows[r], X[i])
        add_row(s)
    }
    end_table()
}

# One goal of issue 8 over all rows: value(row) compared with limit.
# kind "ratio": p50 of a / p50 of b <= limit (or >= with op ">=");
# kind "cpu": CPU of a - CPU of the floor <= limit.
function goal(text, kind, a, b, op, limit,    r, v, met, n, worst, wv, bad) {
    if (!has(a) || !has(kind == "cpu" ? "floor" : b)) return
    met = 0; n = 0; worst = ""
    for (r = 1; r <= nr; r++) {
        v = kind == "cpu" ? excess(rows[r], a) : ratio(rows[r], a, b)
        if (!is_num(v)) continue
        n++; v += 0
        if (op == "<=" ? v <= limit : v >= limit) met++
        bad = worst == "" || (op == "<=" ? v > wv : v < wv)
        if (bad) { wv = v; worst = rows[r] }
    }
    if (n == 0) return
    add_row(text "\t" met " of " n "\t" row_name(worst) ": " \
        (kind == "cpu" ? sprintf("%+.1f", wv) : sprintf("%.2f", wv)))
}

function goals_table() {
    begin_table("Issue 8's speed goals, over the rows above")
    column("goal", 1); column("rows met", 0); column("worst row", 1)
    goal("tree p50 <= 1.15 x floor", "ratio", "lensfs-tree", "floor", "<=", 1.15)
    goal("shared p50 <= 1.3 x floor", "ratio", "lensfs-shared", "floor", "<=", 1.3)
    goal("lxcfs p50 >= 3 x tree", "ratio", "lxcfs", "lensfs-tree", ">=", 3)
    goal("lxcfs p50 >= 3 x shared", "ratio", "lxcfs", "lensfs-shared", ">=", 3)
    goal("tree CPU/read <= floor + 10 " unit, "cpu", "lensfs-tree", "", "<=", 10)
    goal("shared CPU/read <= floor + 10 " unit, "cpu", "lensfs-shared", "", "<=", 10)
    if (nt > 0) end_table()
}

# ---------------------------------------------------------------- input and output

NR > 1 {
    k = $1 SUBSEP $2 SUBSEP $3
    p50[k] = $4; p99[k] = $5; ops[k] = $6; err[k] = $7; cpu[k] = $9
    if (err[k] > 0) notes[++nn] = $1 ", " readers($2) ", " $3 ": " $7 " failed reads (" $10 ")"
    if (!(($1 SUBSEP $2) in seen)) { seen[$1 SUBSEP $2] = 1; rows[++nr] = $1 SUBSEP $2 }
}

END {
    ns = split(srcs, S, " ")
    unit = fmt == "md" ? "µs" : "us"
    define_ratios()
    latency_table()
    rate_table()
    cpu_table()
    goals_table()
    for (i = 1; i <= nn; i++) print "* " notes[i]
    if (nn > 0) print ""
}

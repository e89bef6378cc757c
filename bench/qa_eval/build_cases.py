#!/usr/bin/env python3
"""Build bench/qa_eval/cases.jsonl from the guiding/typical cases in laws-cn/案例/.

Question = the case's `# title` line (case_name = the file name).  Gold = the articles the case
cites -- 《中华人民共和国X法》第N条, 《X》（以下简称《Y》）第N条, bare 民法典第1217条 /
食品安全法第一百四十八条, and chains 第N条及第M条 -- anywhere in its text (案例分析, 裁判理由,
裁判结果, 法官解读, 司法解释相关法条 ...; some cases give the court's reasoning only inside
案情回顾), resolved to {file, title, article} in laws-cn: the latest version of the cited text
that holds that article.  Clauses of the parties' own documents (《安置协议》第六条) are ignored;
local regulations, which laws-cn leaves out, are counted as unresolved.  When the words after a
citation show that the case means a differently numbered article (the law was renumbered since:
an older version's article of that number matches the cited words far better, or the quoted
words are another article of the only version present), the matching article of the latest
version is taken, or, failing that, the older version.

Plain stdlib, deterministic, re-runnable:  python3 bench/qa_eval/build_cases.py [--corpus DIR]
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "data", "corpus", "laws-cn"))

CN_NUM = "零〇一二三四五六七八九十百千"
ART_LINE = re.compile(r"^(第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)")
# Names in 《》 that are documents of the parties, not legal texts: cited "articles" of these
# are clauses of a contract or notice and are ignored (counted separately).
NON_LEGAL = re.compile(r"(协议|合同|通知书?|决定书|确认书|方案|意见|标准|许可证|同意书|计划|复函|意见稿)(书)?$")
# Short names used in the cases for texts whose corpus titles are longer.
ALIASES = {
    "行政协议司法解释": "最高人民法院关于审理行政协议案件若干问题的规定",
    "婚姻法解释（三）": "最高人民法院关于适用婚姻法若干问题的解释（三）",
    "土地承包法": "农村土地承包法",
}
NUM_RX = r"[0-9０-９零〇一二三四五六七八九十百千]+"
CITE_TAIL = re.compile(
    r"第(" + NUM_RX + r")条(?:之([一二三四五六七八九十]+))?(?:第" + NUM_RX + r"[款项])*")
SHORT_NAME = re.compile(r"^[（(]以下简称《([^《》]{2,30})》[）)]")
PARA_CHAIN = re.compile(r"^\s*第[一二三四五六七八九十]+款(?:规定)?[：:]?(?=“)")
CHAIN = re.compile(
    r"^(?:(?:、|，|及|和|以及|与|至)\s*)第(" + NUM_RX + r")条(?:之([一二三四五六七八九十]+))?(?:第" + NUM_RX + r"[款项])*")


def to_cn(n):
    """int -> Chinese numeral as written in article headings (第一千零五十三条)."""
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"
    out, units = "", [(1000, "千"), (100, "百"), (10, "十")]
    rest, zero = n, False
    for val, ch in units:
        q, rest = divmod(rest, val)
        if q:
            if zero:
                out += "零"
                zero = False
            out += ("" if (val == 10 and q == 1 and not out) else digits[q]) + ch
        elif out:
            zero = True
    if rest:
        if zero:
            out += "零"
        out += digits[rest]
    return out


def norm_num(s):
    s = s.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return to_cn(int(s)) if s.isdigit() else s.replace("〇", "零")


def norm_name(s):
    s = re.sub(r"[《》〈〉\s]", "", s)
    return s.replace("中华人民共和国", "")


def bigrams(s):
    s = re.sub(r"[^\u4e00-\u9fff0-9a-zA-Z]", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def load_corpus(root):
    docs = []
    for dp, dn, fn in os.walk(root):
        dn.sort()
        for f in sorted(fn):
            if not f.endswith(".md"):
                continue
            path = os.path.join(dp, f)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            txt = open(path, encoding="utf-8").read()
            title = txt.split("\n", 1)[0].lstrip("#").strip()
            head, _, body = txt.partition("<!-- INFO END -->")
            m = re.search(r"\((\d{4}-\d{2}-\d{2})\)\.md$", f)
            hist = ["%s-%02d-%02d" % (y, int(mo), int(d))
                    for y, mo, d in re.findall(r"(\d{4})年(\d{1,2})月(\d{1,2})日", head)]
            date = m.group(1) if m else (max(hist) if hist else "0000-00-00")
            arts, cur = {}, None
            for line in body.split("\n"):
                s = line.strip()
                mm = ART_LINE.match(s)
                if mm and mm.group(1) not in arts:
                    cur = mm.group(1)
                    arts[cur] = [s]
                elif s.startswith("#"):
                    cur = None
                elif cur and s and not s.startswith("<!--"):
                    arts[cur].append(s)
            docs.append({"file": rel, "title": title, "date": date,
                         "arts": {k: "\n".join(v) for k, v in arts.items()}})
    return docs


def cited_words(text, pos):
    """The words that follow a citation: the quoted text if it is quoted, else 60 characters."""
    rest = re.sub(r"^(?:之?规定|明确规定|的规定)?[：:，,]?\s*", "", text[pos:pos + 200])
    if rest.startswith("“"):
        return rest[1:].split("”", 1)[0][:150], True
    return rest[:60], False


def split_sections(body):
    """[(heading, text)] of a case body; text before the first ## goes under ''."""
    out, head, buf = [], "", []
    for line in body.split("\n"):
        if line.startswith("## "):
            out.append((head, "\n".join(buf)))
            head, buf = line[3:].strip(), []
        else:
            buf.append(line)
    out.append((head, "\n".join(buf)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--out", default=os.path.join(HERE, "cases.jsonl"))
    args = ap.parse_args()

    docs = load_corpus(args.corpus)
    laws = [d for d in docs if not d["file"].startswith("案例/")]
    by_name = {}
    for d in laws:
        by_name.setdefault(norm_name(d["title"]), []).append(d)
    for v in by_name.values():
        v.sort(key=lambda d: (d["date"], d["file"]))
    # bare names (民法典第1217条, 食品安全法第一百四十八条): statute-like names only
    bare_names = sorted((n for n in by_name if re.search(r"(法|法典|条例)$", n) and len(n) >= 3),
                        key=len, reverse=True)

    def lookup(name):
        n = norm_name(name)
        n = norm_name(ALIASES.get(n, n))
        return by_name.get(n)

    def resolve(versions, art, context, quoted):
        """-> (doc, article, note) or None.  The latest version holding `art`, unless the words
        after the citation show that the case means a differently numbered article."""
        holding = [d for d in versions if art in d["arts"]]
        if not holding:
            return None
        latest, newest = holding[-1], versions[-1]
        ctx = bigrams(context)
        if len(ctx) < 8:
            return latest, art, None

        def ov(t):
            return len(ctx & bigrams(t)) / len(ctx)

        def best_in_newest():
            return max((ov(t), a) for a, t in sorted(newest["arts"].items()))

        ov_latest = ov(latest["arts"][art])
        olds = [(ov(d["arts"][art]), d["date"], d["file"]) for d in holding[:-1]]
        best_old = max(olds) if olds else None
        if best_old and best_old[0] >= 0.4 and best_old[0] - ov_latest >= 0.2:
            score, a2 = best_in_newest()
            if score >= 0.4:
                return newest, a2, "renumbered: the cited text is %s of the latest version" % a2
            old = next(d for d in holding if d["file"] == best_old[2])
            return old, art, "older version kept: no article of the latest version holds the cited text"
        if quoted and len(ctx) >= 15 and ov_latest < 0.3:
            score, a2 = best_in_newest()
            if score >= 0.5 and a2 != art:
                return newest, a2, "renumbered: the quoted text is %s of the version in the corpus" % a2
        return latest, art, None

    case_files = sorted(d["file"] for d in docs if d["file"].startswith("案例/"))
    stats = {"cases_read": 0, "cases_with_gold": 0, "citations": 0, "resolved": 0,
             "unresolved": 0, "ignored_party_documents": 0, "renumbered_or_old": 0}
    # renumbered_or_old counts gold articles reached through a renumbering, not mentions
    unresolved = {}
    out_rows = []
    for rel in case_files:
        txt = open(os.path.join(args.corpus, rel), encoding="utf-8").read()
        stats["cases_read"] += 1
        title = txt.split("\n", 1)[0].lstrip("#").strip()
        body = txt.partition("<!-- INFO END -->")[2]
        sections = split_sections(body)
        case_name = os.path.splitext(os.path.basename(rel))[0]
        text = "\n".join(t for h, t in sections)
        gold, seen, notes, unres_here = [], set(), [], []

        cites = []  # (key, versions, name, article, words after the citation, quoted)

        def add(versions, name, num, sub, pos):
            art = "第%s条" % norm_num(num) + ("之" + sub if sub else "")
            key = versions[0]["title"] if versions else name
            words, quoted = cited_words(text, pos)
            cites.append((key, versions, name, art, words, quoted))
            # 第N条第一款规定：“...”第二款规定：“...” -- each quoted paragraph is looked at on its
            # own, since a renumbered law may have moved the paragraphs to different articles
            end = pos
            while quoted:
                close = text.find("”", end)
                m = PARA_CHAIN.match(text[close + 1:]) if close >= 0 else None
                if not m:
                    break
                end = close + 1 + m.end()
                words, quoted = cited_words(text, end - 1)
                cites.append((key, versions, name, art, words, quoted))

        def chain(versions, name, end):
            while True:
                m = CHAIN.match(text[end:])
                if not m:
                    return
                add(versions, name, m.group(1), m.group(2), end + m.end())
                end += m.end()

        spans, local_alias = [], {}
        for m in re.finditer(r"《([^《》]{2,60}(?:〈[^〈〉]*〉[^《》]*)?)》", text):
            name = m.group(1)
            after = m.end()
            ma = SHORT_NAME.match(text[after:])
            if ma:  # 《X》（以下简称《Y》）: Y is this case's short name for X
                local_alias[norm_name(ma.group(1))] = name
                after += ma.end()
            if name in local_alias:
                name = local_alias[name]
            mt = CITE_TAIL.match(text[after:])
            if not mt:
                continue
            spans.append((m.start(), after + mt.end()))
            if NON_LEGAL.search(norm_name(name)) and not lookup(name):
                stats["ignored_party_documents"] += 1
                continue
            versions = lookup(name)
            add(versions, name, mt.group(1), mt.group(2), after + mt.end())
            chain(versions, name, after + mt.end())
        for m in re.finditer(r"第(" + NUM_RX + r")条", text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            pre = text[max(0, m.start() - 20):m.start()]
            pre = re.sub(r"(人格权编|合同编|物权编|侵权责任编|婚姻家庭编|继承编|总则编?)$", "", pre)
            if pre.endswith("》"):
                continue
            name = next((n for n in bare_names if pre.endswith(n)), None)
            if not name:
                continue
            mt = CITE_TAIL.match(text[m.start():])
            add(by_name[name], name, mt.group(1), mt.group(2), m.start() + mt.end())
            chain(by_name[name], name, m.start() + mt.end())
        # one decision per (law, cited article) in a case: a mention whose words show a
        # renumbering decides for all mentions of that article
        # one decision per (law, cited article) in a case: mentions whose words show a
        # renumbering decide for that article (each such mention adds its target); the other
        # mentions then add nothing
        decided = {}
        for key, versions, name, art, words, quoted in cites:
            stats["citations"] += 1
            r = resolve(versions, art, words, quoted) if versions else None
            if not r:
                stats["unresolved"] += 1
                u = "%s %s" % (name, art)
                unresolved[u] = unresolved.get(u, 0) + 1
                if u not in unres_here:
                    unres_here.append(u)
                continue
            stats["resolved"] += 1
            decided.setdefault((key, art), []).append(r)
        for (key, art), rs in decided.items():
            moved = [r for r in rs if r[2]]
            for d, a, note in (moved or rs[:1]):
                if note and (d["file"], a) not in seen:
                    stats["renumbered_or_old"] += 1
                    notes.append("%s %s: %s" % (d["title"], art, note))
                if (d["file"], a) not in seen:
                    seen.add((d["file"], a))
                    gold.append({"file": d["file"], "title": d["title"], "article": a})
        # ids are numbered over all cases read, so they stay put if a case gains or loses gold
        row = {"id": "case-%03d" % (len(out_rows) + 1), "question": title, "case_name": case_name,
               "case_file": rel, "lang": "zh", "topic": rel.split("/")[1], "answerable": True,
               "gold": gold}
        if unres_here:
            row["unresolved_citations"] = unres_here
        if notes:
            row["version_notes"] = notes
        if gold:
            stats["cases_with_gold"] += 1
        out_rows.append(row)

    with open(args.out, "w", encoding="utf-8") as fh:
        for r in out_rows:
            if not r["gold"]:
                continue  # nothing to score against: left out of the file, listed below
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("cases read: %(cases_read)d, with >=1 resolved gold: %(cases_with_gold)d" % stats)
    print("citations: %(citations)d, resolved: %(resolved)d, unresolved: %(unresolved)d, "
          "renumbered/older-version: %(renumbered_or_old)d, party-document clauses ignored: "
          "%(ignored_party_documents)d" % stats)
    for k in sorted(unresolved):
        print("  unresolved: %s (x%d)" % (k, unresolved[k]))
    for r in out_rows:
        if not r["gold"]:
            print("  left out (no resolvable article cited): %s" % r["case_file"])
    print("wrote %s (%d rows)" % (os.path.relpath(args.out), sum(1 for r in out_rows if r["gold"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Translations of sale_order_policy.

i18n.py export CONF DB   re-export i18n/sale_order_policy.pot from a database that has
                         the module installed, then merge it into i18n/zh_CN.po (the one
                         catalogue): every msgid of the template, with its translation
                         from zh_CN.po; prints what is still untranslated.
i18n.py check            exit 1 if zh_CN.po leaves any msgid of the template untranslated.
"""

import os
import subprocess
import sys
import tempfile

import polib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
I18N = os.path.join(ROOT, "sale_order_policy", "i18n")
POT = os.path.join(I18N, "sale_order_policy.pot")
ZH = os.path.join(I18N, "zh_CN.po")


def known_translations():
    table = {}
    if os.path.exists(ZH):
        for entry in polib.pofile(ZH):
            if entry.msgstr.strip():
                table[entry.msgid] = entry.msgstr
    return table


def export(conf, db):
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "sale_order_policy.pot")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "odoo",
                "-c",
                conf,
                "-d",
                db,
                f"--i18n-export={target}",
                "--modules=sale_order_policy",
                "--stop-after-init",
                "--log-level=warn",
            ],
            check=True,
        )
        pot = polib.pofile(target)
    pot.save(POT)
    table = known_translations()
    po = polib.POFile()
    po.metadata = {
        "Project-Id-Version": "Odoo Server 18.0",
        "Language": "zh_CN",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "",
        "Plural-Forms": "",
    }
    missing = []
    for entry in pot:
        translated = polib.POEntry(
            msgid=entry.msgid,
            msgstr=table.get(entry.msgid, ""),
            occurrences=entry.occurrences,
            comment=entry.comment,
            tcomment=entry.tcomment,
            flags=entry.flags,
        )
        if not translated.msgstr:
            missing.append(entry.msgid)
        po.append(translated)
    po.save(ZH)
    print(f"{len(pot)} messages, {len(missing)} untranslated")
    for msgid in missing:
        print("  -", msgid.replace("\n", "\\n")[:120])


def check():
    pot = polib.pofile(POT)
    zh = {e.msgid: e.msgstr for e in polib.pofile(ZH)}
    missing = [e.msgid for e in pot if not zh.get(e.msgid, "").strip()]
    print(f"{len(pot)} messages, {len(missing)} untranslated")
    return not missing


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "check":
        sys.exit(0 if check() else 1)

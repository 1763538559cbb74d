from odoo import api, models
from odoo.exceptions import ValidationError

# GB 32100-2015 unified social credit code (统一社会信用代码): 18 characters of this set
# (no I, O, S, V, Z); the last is a check character over the first 17.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
# GB 11643-1999 citizen identity number (公民身份号码, an individual's taxpayer ID).
RESIDENT_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
RESIDENT_ID_CHECK = "10X98765432"


def uscc_check_character(code17):
    """The check character of the first 17 characters of a unified social credit code."""
    total = sum(
        USCC_CHARSET.index(char) * weight for char, weight in zip(code17, USCC_WEIGHTS, strict=True)
    )
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code):
    return (
        len(code) == 18
        and all(char in USCC_CHARSET for char in code)
        and uscc_check_character(code[:17]) == code[17]
    )


def is_valid_resident_id(code):
    if len(code) != 18 or not code[:17].isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(code[:17], RESIDENT_ID_WEIGHTS, strict=True)
    )
    return RESIDENT_ID_CHECK[total % 11] == code[17]


class ResPartner(models.Model):
    """Chinese tax IDs (纳税人识别号): an 18-character value must be a valid unified social
    credit code, or for a person a valid citizen identity number. Checked on Chinese
    partners, and on partners without a country whose value looks like a credit code;
    other countries are left to Odoo (base_vat when installed)."""

    _inherit = "res.partner"

    @api.constrains("vat", "country_id")
    def _check_policy_cn_tax_id(self):
        for partner in self:
            code = partner._policy_cn_tax_id()
            if not code or is_valid_uscc(code):
                continue
            if not partner.is_company and is_valid_resident_id(code):
                continue
            raise ValidationError(
                self.env._(
                    "The tax ID %(vat)s of %(partner)s is not a valid unified social credit "
                    "code (统一社会信用代码): 18 characters (digits and capital letters without "
                    "I, O, S, V, Z) whose last one is the check character of the first 17.",
                    vat=partner.vat,
                    partner=partner.display_name,
                )
            )

    def _policy_cn_tax_id(self):
        """The normalized value to check as a Chinese tax ID, or None."""
        code = "".join((self.vat or "").split()).upper()
        if code.startswith("CN") and len(code) == 20:
            code = code[2:]
        if self.country_id.code == "CN":
            # Legacy 15/17/20-character taxpayer IDs predate the credit code: not checked.
            legacy = len(code) in (15, 17, 20) and code.isascii() and code.isalnum()
            return None if legacy else code
        if not self.country_id and len(code) == 18 and all(c in USCC_CHARSET for c in code):
            return code
        return None

"""A small law in the corpus format, shared by the parsing and corpus-loading tests
(unique module name: imported as ``kb_sample``)."""

SAMPLE = """# 中华人民共和国示例法

2000年1月1日 第九届全国人民代表大会常务委员会第十次会议通过

２０２１年４月２９日 第十三届全国人民代表大会常务委员会第二十八次会议第一次修正

<!-- INFO END -->

## 第一章 总 则

第一条 为了示例，制定本法。

第二条 下列物品禁止进境：

（一）武器；

（二）毒品。

前款规定以外的物品，依照本法第一条的规定办理。

## 第二章 附 则

### 第一节 其他

第二条之一 本条是插入的条文。

第三条 本法自2022年1月1日起施行。
"""

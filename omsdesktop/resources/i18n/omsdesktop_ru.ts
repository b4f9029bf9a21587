<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru" sourcelanguage="ru">
<context>
    <name>DocumentSlot</name>
    <message numerus="yes">
        <location filename="../../ui/document_slot.py" line="+912"/>
        <source>проверьте: %n</source>
        <translation>
            <numerusform>проверьте: %n</numerusform>
            <numerusform>проверьте: %n</numerusform>
            <numerusform>проверьте: %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="+375"/>
        <source>Проверьте поля, выделенные жёлтым: %n</source>
        <translation>
            <numerusform>Проверьте поля, выделенные жёлтым: %n</numerusform>
            <numerusform>Проверьте поля, выделенные жёлтым: %n</numerusform>
            <numerusform>Проверьте поля, выделенные жёлтым: %n</numerusform>
        </translation>
    </message>
</context>
</TS>

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="ru">
<context>
    <name>Application</name>
    <message>
        <location filename="../../ui/application.py" line="+60"/>
        <source>Внутренняя ошибка программы. Введённые данные сохранены в черновике. Если ошибка повторится, перезапустите программу.</source>
        <translation>Internal error. What you entered is saved in the draft. If it happens again, restart the program.</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Полис ОМС ребёнка</source>
        <translation>Child&apos;s OMS policy</translation>
    </message>
</context>
<context>
    <name>ApplicationForm</name>
    <message>
        <location filename="../../ui/form.py" line="+115"/>
        <source>ДД.ММ.ГГГГ</source>
        <translation>DD.MM.YYYY</translation>
    </message>
    <message>
        <location line="+343"/>
        <source>Уверенность распознавания: %1 %</source>
        <translation>Recognition confidence: %1 %</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Откуда значение: %1</source>
        <translation>Where the value came from: %1</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Документы расходятся: в свидетельстве «%1», в полисе «%2».</source>
        <translation>The documents disagree: the certificate says “%1”, the policy says “%2”.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Как в свидетельстве: %1</source>
        <translation>As in the certificate: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Взять значение из свидетельства: %1</source>
        <translation>Take the value from the certificate: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Как в полисе: %1</source>
        <translation>As in the policy: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Взять значение из полиса: %1</source>
        <translation>Take the value from the policy: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Портал просит исправить это поле.</source>
        <translation>The portal asks to fix this field.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Проверьте это поле по документу: распознано неуверенно.</source>
        <translation>Check this field against the document: it was read with low confidence.</translation>
    </message>
</context>
<context>
    <name>BatchDialog</name>
    <message>
        <location filename="../../ui/batch_dialog.py" line="+91"/>
        <source>Пакетная обработка</source>
        <translation>Batch processing</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Выберите папку со сканами свидетельств и полисов. Программа разберёт их по детям, создаст черновики заявлений и сохранит отчёт в ту же папку.</source>
        <translation>Choose the folder with the scans of certificates and policies. The program sorts them by child, creates draft applications and saves a report in the same folder.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Папка не выбрана</source>
        <translation>No folder chosen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Выбрать папку…</source>
        <translation>Choose folder…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Выбрать папку со сканами и начать</source>
        <translation>Choose the folder with scans and start</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Ход пакетной обработки</source>
        <translation>Batch progress</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Отмена</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Остановить пакетную обработку</source>
        <translation>Stop batch processing</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Итог пакетной обработки</source>
        <translation>Batch summary</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Открыть отчёт</source>
        <translation>Open report</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Открыть отчёт в браузере</source>
        <translation>Open the report in the browser</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Закрыть</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Закрыть окно пакетной обработки</source>
        <translation>Close the batch processing window</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Папка со сканами для пакетной обработки</source>
        <translation>Folder with scans for batch processing</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Читаю сканы… Это займёт несколько секунд на каждый файл.</source>
        <translation>Reading the scans… This takes a few seconds per file.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Останавливаю обработку…</source>
        <translation>Stopping…</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Обработка остановлена. Черновики, созданные до этого, сохранены.</source>
        <translation>Processing stopped. Drafts created before that are saved.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Заявлений создано: %1</source>
        <translation>Applications created: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Из них проверить вручную: %1</source>
        <translation>Of them to check by hand: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Документов без пары: %1</source>
        <translation>Documents without a pair: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Файлов нельзя использовать: %1</source>
        <translation>Files that cannot be used: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Готово. Отчёт сохранён: %1</source>
        <translation>Done. Report saved: %1</translation>
    </message>
</context>
<context>
    <name>CropPanel</name>
    <message>
        <location filename="../../ui/panels.py" line="+62"/>
        <source>Встаньте в поле — здесь появится кусочек документа, из которого взято значение.</source>
        <translation>Click into a field: the piece of the document its value was read from appears here.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>«%1»: значение введено вручную или не найдено на снимке.</source>
        <translation>“%1”: the value was typed in or was not found on the image.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>«%1» на документе — сравните со значением в поле:</source>
        <translation>“%1” on the document — compare it with the value in the field:</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Фрагмент документа: %1</source>
        <translation>Part of the document: %1</translation>
    </message>
</context>
<context>
    <name>DocumentSlot</name>
    <message>
        <location filename="../../ui/document_slot.py" line="+376"/>
        <source>Открыть файл…</source>
        <translation>Open file…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Открыть файл: %1</source>
        <translation>Open file: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Выбрать фото или скан документа (JPEG, PNG, PDF…)</source>
        <translation>Choose a photo or scan of the document (JPEG, PNG, PDF…)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Вставить</source>
        <translation>Paste</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Вставить снимок из буфера обмена: %1</source>
        <translation>Paste an image from the clipboard: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Вставить снимок, скопированный в буфер обмена</source>
        <translation>Paste an image copied to the clipboard</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Сканировать</source>
        <translation>Scan</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Сканировать: %1</source>
        <translation>Scan: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Положите документ на стекло сканера и нажмите, чтобы отсканировать его</source>
        <translation>Put the document on the scanner glass and press to scan it</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Страница:</source>
        <translation>Page:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Номер страницы: %1</source>
        <translation>Page number: %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Уменьшить: %1</source>
        <translation>Zoom out: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Уменьшить (Ctrl + колёсико мыши)</source>
        <translation>Zoom out (Ctrl + mouse wheel)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Увеличить: %1</source>
        <translation>Zoom in: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Увеличить (Ctrl + колёсико мыши)</source>
        <translation>Zoom in (Ctrl + mouse wheel)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>По размеру</source>
        <translation>Fit</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Показать страницу целиком: %1</source>
        <translation>Show the whole page: %1</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Использовать всё равно</source>
        <translation>Use anyway</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Использовать этот снимок, несмотря на плохое качество</source>
        <translation>Use this image despite its poor quality</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Выбрать другой файл…</source>
        <translation>Choose another file…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Выбрать другой файл: %1</source>
        <translation>Choose another file: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Открыть настройки…</source>
        <translation>Open settings…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Открыть настройки программы</source>
        <translation>Open the program settings</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Ход обработки: %1</source>
        <translation>Progress: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Отмена</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Остановить обработку: %1</source>
        <translation>Stop processing: %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Просмотр страницы: %1</source>
        <translation>Page preview: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Колёсико с Ctrl или кнопки +/− меняют масштаб; перетаскивание сдвигает</source>
        <translation>Ctrl + wheel or the +/− buttons zoom; drag to move</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Перетащите сюда фото или скан документа «%1».

Или нажмите «Открыть файл…», или скопируйте снимок и нажмите «Вставить».</source>
        <translation>Drop a photo or scan of the “%1” here.

Or press “Open file…”, or copy an image and press “Paste”.</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Выберите файл: %1</source>
        <translation>Choose a file: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Снимки и сканы (%1);;Все файлы (*)</source>
        <translation>Photos and scans (%1);;All files (*)</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>В буфере обмена нет снимка. Скопируйте фото или скан документа (или сам файл) и нажмите «Вставить» ещё раз.</source>
        <translation>There is no image on the clipboard. Copy a photo or scan of the document (or the file itself) and press “Paste” again.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Читаю снимок из буфера обмена…</source>
        <translation>Reading the image from the clipboard…</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Ищу сканеры…</source>
        <translation>Looking for scanners…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Сканирую… Не поднимайте крышку, пока сканер не закончит.</source>
        <translation>Scanning… Do not lift the lid until the scanner has finished.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Обработка остановлена.</source>
        <translation>Processing stopped.</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>Проверяю качество снимка…</source>
        <translation>Checking the image quality…</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Распознаю текст… Это займёт несколько секунд.</source>
        <translation>Reading the text… This takes a few seconds.</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>На снимке, похоже, есть второй документ, но прочитать его не удалось: сфотографируйте или отсканируйте документы по отдельности.</source>
        <translation>The picture seems to hold a second document that could not be read: photograph or scan the documents one at a time.</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+14"/>
        <source>На странице %1 ещё один документ «%2»: загружен только первый.</source>
        <translation>Page %1 holds another “%2”: only the first one is loaded.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>На этом же снимке — «%2»: документ загружен в своё окно.</source>
        <translation>The same image also holds the “%2”: it is loaded into its own pane.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>На странице %1 — «%2»: документ загружен в своё окно.</source>
        <translation>Page %1 holds the “%2”: it is loaded into its own pane.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>пустая страница</source>
        <translation>a blank page</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>не свидетельство о рождении и не полис ОМС</source>
        <translation>neither a birth certificate nor an OMS policy</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Страница %1: %2.</source>
        <translation>Page %1: %2.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Это не тот документ: похоже, это «%1». Он перенесён в своё окно.</source>
        <translation>This is the other document: it looks like “%1”. It was moved to its own place.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Не удалось узнать документ на снимке. Проверьте, что это %1, или введите данные вручную справа.</source>
        <translation>The document on the image was not recognised. Check that it is the %1, or type the data in on the right.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Прочитано полей: %1</source>
        <translation>Fields read: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>проверьте: %n</source>
        <translation>
            <numerusform>to check: %n</numerusform>
            <numerusform>to check: %n</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Документ перенесён сюда из другого окна.</source>
        <translation>The document was moved here from the other place.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source> из %1</source>
        <translation> of %1</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Снимок плохого качества: данные могут распознаться с ошибками. Лучше переснять документ.</source>
        <translation>The image is of poor quality: the data may be read wrongly. It is better to retake it.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Замечание о снимке (можно продолжать):</source>
        <translation>A note about the image (you can go on):</translation>
    </message>
</context>
<context>
    <name>DraftsDialog</name>
    <message>
        <location filename="../../ui/drafts_dialog.py" line="+36"/>
        <source>Черновики заявлений</source>
        <translation>Application drafts</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Выберите черновик и нажмите «Открыть». Черновики сохраняются сами.</source>
        <translation>Choose a draft and press “Open”. Drafts are saved automatically.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Ребёнок</source>
        <translation>Child</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Изменён</source>
        <translation>Changed</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Состояние</source>
        <translation>State</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Список черновиков</source>
        <translation>List of drafts</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Открыть</source>
        <translation>Open</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Открыть выбранный черновик</source>
        <translation>Open the selected draft</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Удалить…</source>
        <translation>Delete…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Удалить выбранный черновик</source>
        <translation>Delete the selected draft</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Закрыть</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Закрыть список черновиков</source>
        <translation>Close the list of drafts</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Загружаю список…</source>
        <translation>Loading the list…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>(имя не заполнено)</source>
        <translation>(no name yet)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Черновиков пока нет.</source>
        <translation>No drafts yet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Черновиков: %1</source>
        <translation>Drafts: %1</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Удалить черновик?</source>
        <translation>Delete the draft?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Черновик будет удалён вместе со снимками документов. Восстановить его будет нельзя. Удалить?</source>
        <translation>The draft will be deleted together with the document images. It cannot be restored. Delete it?</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../ui/labels.py" line="+63"/>
        <source>Свидетельство о рождении</source>
        <translation>Birth certificate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Полис ОМС</source>
        <translation>OMS policy</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>штрихкод</source>
        <translation>barcode</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>распознано</source>
        <translation>recognised</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>введено</source>
        <translation>typed</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>единого образца (бумажный)</source>
        <translation>unified (paper)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>пластиковая карта</source>
        <translation>plastic card</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>электронный</source>
        <translation>electronic</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>старого образца</source>
        <translation>old style</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>временное свидетельство</source>
        <translation>temporary certificate</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>мужской</source>
        <translation>male</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>женский</source>
        <translation>female</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>на проверке</source>
        <translation>under review</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>нужно уточнить данные</source>
        <translation>needs clarification</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>одобрено</source>
        <translation>approved</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>отклонено</source>
        <translation>rejected</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>в очереди, будет отправлено</source>
        <translation>queued, will be sent</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>принято порталом</source>
        <translation>accepted by the portal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>не принято порталом</source>
        <translation>not accepted by the portal</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>черновик</source>
        <translation>draft</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>в очереди на отправку</source>
        <translation>queued for sending</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>отправлено</source>
        <translation>sent</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="+118"/>
        <source>Полис ОМС ребёнка — заявление</source>
        <translation>Child&apos;s OMS policy — application</translation>
    </message>
    <message>
        <location filename="../../ui/window_layout.py" line="+43"/>
        <source>1. Загрузите свидетельство о рождении и полис ОМС (файл, перетаскивание или вставка).   2. Проверьте поля справа: жёлтые — обязательно.   3. Нажмите «Отправить на портал».</source>
        <translation>1. Load the birth certificate and the OMS policy (file, drag and drop or paste).   2. Check the fields on the right, the yellow ones above all.   3. Press “Send to the portal”.</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Поля заявления</source>
        <translation>Application fields</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Открываю базу черновиков…</source>
        <translation>Opening the draft database…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Идёт отправка</source>
        <translation>Sending</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Сохранить</source>
        <translation>Save</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+102"/>
        <source>Сохранить черновик</source>
        <translation>Save the draft</translation>
    </message>
    <message>
        <location line="-99"/>
        <source>Черновик сохраняется сам при каждой правке (Ctrl+S)</source>
        <translation>The draft is saved by itself on every edit (Ctrl+S)</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+95"/>
        <source>Отправить на портал</source>
        <translation>Send to the portal</translation>
    </message>
    <message>
        <location line="-92"/>
        <source>Отправить заявление на портал</source>
        <translation>Send the application to the portal</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Отправить заявление (Ctrl+Enter)</source>
        <translation>Send the application (Ctrl+Enter)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Готово к работе</source>
        <translation>Ready</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Файл</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Заявление</source>
        <translation>&amp;Application</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Справка</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Новое заявление</source>
        <translation>New application</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Открыть свидетельство о рождении…</source>
        <translation>Open the birth certificate…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Открыть полис ОМС…</source>
        <translation>Open the OMS policy…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Вставить снимок из буфера обмена</source>
        <translation>Paste an image from the clipboard</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Черновики…</source>
        <translation>Drafts…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Пакетная обработка…</source>
        <translation>Batch processing…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Настройки…</source>
        <translation>Settings…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Выход</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Обновить состояние</source>
        <translation>Refresh the status</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Отправить очередь сейчас</source>
        <translation>Send the queue now</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+23"/>
        <source>Как пользоваться</source>
        <translation>How to use</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="+66"/>
        <source>Черновик сохраняется автоматически.</source>
        <translation>The draft is saved automatically.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>База черновиков недоступна: черновик не сохраняется.</source>
        <translation>The draft database is unavailable: the draft is not being saved.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Открыть настройки…</source>
        <translation>Open settings…</translation>
    </message>
    <message>
        <location line="+85"/>
        <source>Документ прочитан: %1</source>
        <translation>Document read: %1</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Сохраняю…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../../ui/window_drafts.py" line="+60"/>
        <source>Черновик сохранён в %1.</source>
        <translation>Draft saved at %1.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Правки не сохранены: черновик изменён на другом месте.</source>
        <translation>Edits not saved: the draft was changed at another desk.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Записать мои правки поверх</source>
        <translation>Save my edits on top</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Открыть их версию</source>
        <translation>Open their version</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>База черновиков недоступна, повторю попытку сама. Правки не потеряны.</source>
        <translation>The draft database is unavailable; saving will be retried. No edits are lost.</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Новое заявление. Черновик сохраняется автоматически.</source>
        <translation>New application. The draft is saved automatically.</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Снимок из черновика</source>
        <translation>Image from the draft</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Черновик открыт.</source>
        <translation>Draft opened.</translation>
    </message>
    <message>
        <location filename="../../ui/window_portal.py" line="+42"/>
        <source>Это заявление уже отправлено или стоит в очереди на отправку.</source>
        <translation>This application is already sent or queued for sending.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Сначала загрузите документы или заполните поля заявления.</source>
        <translation>First load the documents or fill in the application fields.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Заявление не отправлено: исправьте поля — %1.</source>
        <translation>The application was not sent: fix these fields — %1.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Отправляю заявление на портал…</source>
        <translation>Sending the application to the portal…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Заявление принято порталом. Номер запроса: %1.</source>
        <translation>The portal accepted the application. Request number: %1.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Портал сейчас недоступен. Заявление в очереди и будет отправлено автоматически, как только появится связь. Программу можно не закрывать.</source>
        <translation>The portal cannot be reached now. The application is queued and will be sent automatically as soon as the connection is back. You may keep the program open.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Заявление не отправлено.</source>
        <translation>The application was not sent.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Заявление отправлено: изменить его нельзя.</source>
        <translation>The application is sent: it cannot be changed.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Заявление ждёт отправки в очереди.</source>
        <translation>The application is waiting in the queue.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Связь появилась: заявление из очереди принято порталом. Номер запроса: %1.</source>
        <translation>The connection is back: the queued application was accepted by the portal. Request number: %1.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Отправлено из очереди: %1</source>
        <translation>Sent from the queue: %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="+41"/>
        <source>Язык сменится после перезапуска программы.</source>
        <translation>The language changes after the program is restarted.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Новая база черновиков будет открыта после перезапуска.</source>
        <translation>The new draft database is opened after a restart.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Настройки сохранены.</source>
        <translation>Settings saved.</translation>
    </message>
    <message>
        <location filename="../../ui/window_layout.py" line="+1"/>
        <source>1. Слева загрузите свидетельство о рождении и полис ОМС: «Открыть файл…» (Ctrl+O и Ctrl+Shift+O), перетащите файл в окно или вставьте снимок из буфера (Ctrl+Shift+V).
2. Если снимок плохой, программа подскажет, как переснять. Можно продолжить кнопкой «Использовать всё равно».
3. Проверьте поля справа. Жёлтые поля прочитаны неуверенно или расходятся в документах: сравните их с фрагментом документа над формой.
4. Черновик сохраняется сам (Ctrl+S — сохранить сейчас). Список черновиков — Ctrl+D.
5. «Отправить на портал» (Ctrl+Enter). Без связи заявление встанет в очередь и уйдёт само.</source>
        <translation>1. On the left, load the birth certificate and the OMS policy: “Open file…” (Ctrl+O and Ctrl+Shift+O), drop a file on the window or paste an image (Ctrl+Shift+V).
2. If an image is poor, the program says how to retake it. You can go on with “Use anyway”.
3. Check the fields on the right. Yellow fields were read with low confidence or differ between the documents: compare them with the piece of the document above the form.
4. The draft is saved by itself (Ctrl+S saves now). The list of drafts: Ctrl+D.
5. “Send to the portal” (Ctrl+Enter). Without a connection the application is queued and goes out by itself.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="+14"/>
        <source>Проверьте поля, выделенные жёлтым: %n</source>
        <translation>
            <numerusform>Check the fields marked yellow: %n</numerusform>
            <numerusform>Check the fields marked yellow: %n</numerusform>
        </translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Завершаю работу: останавливаю обработку…</source>
        <translation>Closing: stopping the processing…</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <location filename="../../ui/panels.py" line="+28"/>
        <source>Скрыть</source>
        <translation>Hide</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Скрыть сообщение</source>
        <translation>Hide the message</translation>
    </message>
</context>
<context>
    <name>ScannerChooser</name>
    <message>
        <location filename="../../ui/scan_button.py" line="+52"/>
        <source>Выбор сканера</source>
        <translation>Choose a scanner</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Найдено несколько сканеров. Выберите, каким сканировать:</source>
        <translation>Several scanners were found. Choose which one to scan with:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Список сканеров</source>
        <translation>Scanner list</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Сканировать</source>
        <translation>Scan</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Сканировать выбранным сканером</source>
        <translation>Scan with the selected scanner</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="+34"/>
        <source>Порог размытия (доля высоты букв)</source>
        <translation>Blur threshold (share of letter height)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Наименьшая высота букв, пикселей</source>
        <translation>Smallest letter height, pixels</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Наименьшее разрешение скана, dpi</source>
        <translation>Lowest scan resolution, dpi</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Порог «слишком тёмный» (яркость бумаги)</source>
        <translation>“Too dark” threshold (paper brightness)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Порог «пересвечен» (яркость бумаги)</source>
        <translation>“Washed out” threshold (paper brightness)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Наименьший контраст текста</source>
        <translation>Lowest text contrast</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Наименьшая доля кадра под документом</source>
        <translation>Smallest share of the frame taken by the document</translation>
    </message>
    <message>
        <location line="+11"/>
        <location line="+163"/>
        <source>Настройки</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location line="-155"/>
        <source>Разделы настроек</source>
        <translation>Settings sections</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Язык программы</source>
        <translation>Program language</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Язык:</source>
        <translation>Language:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Рабочее место или оператор</source>
        <translation>Desk or operator</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>например, окно 3</source>
        <translation>e.g. desk 3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Рабочее место:</source>
        <translation>Desk:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Сканер по умолчанию</source>
        <translation>Default scanner</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>имя сканера (пока не используется)</source>
        <translation>scanner name (not used yet)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Сканер по умолчанию:</source>
        <translation>Default scanner:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Общие</source>
        <translation>General</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Путь к программе Tesseract</source>
        <translation>Path to the Tesseract program</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>найти автоматически</source>
        <translation>find automatically</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Обзор…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Выбрать программу Tesseract</source>
        <translation>Choose the Tesseract program</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Программа Tesseract:</source>
        <translation>Tesseract program:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Оставьте пустым, если Tesseract установлен обычным образом. В Windows укажите tesseract.exe.</source>
        <translation>Leave empty if Tesseract is installed the usual way. On Windows, point to tesseract.exe.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Распознавание</source>
        <translation>Recognition</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Адрес портала</source>
        <translation>Portal address</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Адрес портала:</source>
        <translation>Portal address:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Токен доступа к порталу</source>
        <translation>Portal access token</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>не менять</source>
        <translation>keep unchanged</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Токен доступа:</source>
        <translation>Access token:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Токен хранится в хранилище паролей системы, а не в файле настроек.</source>
        <translation>The token is kept in the system&apos;s password store, not in the settings file.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Адрес базы данных</source>
        <translation>Database address</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>на этом компьютере</source>
        <translation>on this computer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>База данных (центр обслуживания):</source>
        <translation>Database (service centre):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Портал и база</source>
        <translation>Portal and database</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Меняйте, только если знаете зачем: от этого зависит проверка снимков.</source>
        <translation>Change only if you know why: the image checks depend on these.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Вернуть пороги по умолчанию</source>
        <translation>Restore default thresholds</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Вернуть пороги качества по умолчанию</source>
        <translation>Restore the default quality thresholds</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Дополнительно</source>
        <translation>Advanced</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Сохранить</source>
        <translation>Save</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Сохранить настройки</source>
        <translation>Save the settings</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Отмена</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Закрыть без сохранения</source>
        <translation>Close without saving</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Где находится Tesseract?</source>
        <translation>Where is Tesseract?</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Токен не сохранён</source>
        <translation>Token not saved</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>В системе нет хранилища паролей, поэтому токен сохранить нельзя. Задайте его переменной окружения OMSDESKTOP_PORTAL_TOKEN.</source>
        <translation>The system has no password store, so the token cannot be saved. Set it in the OMSDESKTOP_PORTAL_TOKEN environment variable.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Настройки не сохранены</source>
        <translation>Settings not saved</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Не удалось записать файл настроек. Проверьте права на папку настроек.</source>
        <translation>The settings file could not be written. Check the permissions of the settings folder.</translation>
    </message>
</context>
<context>
    <name>SubmissionPanel</name>
    <message>
        <location filename="../../ui/panels.py" line="+61"/>
        <source>Обновить состояние</source>
        <translation>Refresh the status</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Спросить портал о состоянии заявления</source>
        <translation>Ask the portal for the status of the application</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Заявление: %1</source>
        <translation>Application: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Номер запроса на портале: %1</source>
        <translation>Request number on the portal: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Ответ портала: %1</source>
        <translation>Portal&apos;s answer: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Обработка на портале: %1</source>
        <translation>Processing on the portal: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Статус на портале: %1</source>
        <translation>Status on the portal: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Причина: %1</source>
        <translation>Reason: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Нет связи с порталом. Заявление сохранено в очереди и будет отправлено автоматически, когда связь появится. Попыток: %1.</source>
        <translation>No connection to the portal. The application is kept in the queue and will be sent automatically when the connection is back. Attempts: %1.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Портал просит исправить поля:</source>
        <translation>The portal asks to fix these fields:</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Перейти к полю: %1</source>
        <translation>Go to the field: %1</translation>
    </message>
</context>
</TS>

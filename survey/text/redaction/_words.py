"""Words the name finder must know besides the name list: function words that are never names,
determiners before a common noun, titles before (and in Turkish after) a name, and the common nouns
that are also frequent names.

Kept by hand: these are judgements, not data. The name-list extraction (names_extract) uses them too,
so that a look-alike is decided in one place.
"""

from __future__ import annotations

__all__ = [
    "ARABIC_WORDS",
    "CONNECTORS",
    "DETERMINERS",
    "HONORIFICS",
    "NAME_NOUNS",
    "NEVER_NAMES",
    "POST_TITLES",
    "ROLES",
    "TITLE_WORDS",
    "TURKISH_WORDS",
    "fold",
    "word_set",
]


_ARABIC_MARKS = dict.fromkeys([0x0640, *range(0x064B, 0x0660), 0x0670])


def fold(word: str) -> str:
    """The form words are compared in: case-folded, the typographic apostrophe made plain, Arabic
    without its vowel marks ("الدّين" is "الدين")."""
    return word.replace("’", "'").replace("ʼ", "'").translate(_ARABIC_MARKS).casefold()


def word_set(text: str) -> frozenset[str]:
    """The words of a text written as a list, one or more a line, as they are compared."""
    return frozenset(fold(w) for w in text.split())


#: German, English and Turkish function words and frequent sentence openers: names-dataset lists
#: some of them ("Die", "Wer", "Bu") as names; they are never one.
NEVER_NAMES = word_set(
    """
    der die das den dem des ein eine einer einen einem eines kein keine keiner keinen keinem
    ich du er sie es wir ihr mich mir dich dir sich uns euch ihn ihm ihnen ihre ihren ihrem ihrer
    mein meine meinen meinem meiner dein deine sein seine seinen seinem seiner unser unsere euer
    dieser diese dieses diesen diesem jener jene jeder jede jedes jeden jedem welche welcher man
    und oder aber denn sondern doch weil dass ob wenn als wie wo was wer wen wem wann warum weshalb
    in an auf aus bei mit nach seit von vor zu zum zur im am ins ans beim vom über unter neben
    zwischen durch für gegen ohne um bis trotz während wegen laut pro per ab
    nicht nur auch noch schon sehr gar mal immer nie oft heute gestern morgen jetzt hier dort da
    dann danach leider bitte danke ja nein so also sonst eben halt wohl etwa fast ganz gern gerne
    sind ist war waren hat haben hatte hatten wird werden wurde wurden kann können konnte konnten
    muss müssen musste soll sollen sollte will wollen darf dürfen möchte möchten würde würden
    alle alles allem allen aller viel viele vielen wenig wenige einige manche mehr meist etwas nichts
    insgesamt allerdings außerdem zudem trotzdem deshalb deswegen daher dabei dafür dagegen damit
    leider endlich bisher wieder weiter zuerst zuletzt übrigens natürlich eigentlich wirklich
    toll super prima gut schlecht schön lieber liebe lieben hallo guten tag grüße gruß
    the a an and or but if in on at to of for with by from as is are was were be been being
    have has had do does did would could should might must shall i you he she it we they me him
    her us them my your his its our their this that these those what which who whom whose when
    where why how not no yes very so too also just only then than there here all any some each
    every more most other such thanks thank please dear hello hi
    ve veya ama fakat ancak bir bu şu o ben sen biz siz onlar çok daha en için ile gibi kadar
    de da ki mi mu ne her hiç bana beni bize bizi size sizi teşekkür teşekkürler evet hayır
    bugün dün yarın şimdi sonra önce merhaba lütfen sayın
    abs nr str az gz ggf evtl inkl zzgl bzw usw ca vgl sog tel geb hrsg abt dez fb ref mfg lg vg
    في من على إلى الى عن مع هو هي هم نحن أنا انا هذا هذه ذلك تلك التي الذي الذين كان كانت كانوا قد
    لقد ثم أو او لا لم لن ما ماذا كل بعد قبل عند جدا شكرا أن ان إن لكن حتى منذ عندما كما أيضا ايضا
    غير بين هناك هنا وقد وكان وكانت ولا ولم والتي الذي
    это как что кто где когда очень спасибо здравствуйте она они мы вы его ее её их наш ваш
    мой моя моё мои твой твоя свой своя этот эта эти все всё весь
    як що хто де коли дуже дякую вона вони ми ви його її їх мій моя моє мої твій твоя свій своя
    цей ця ці усі все весь
    """
)

#: words after which a capitalised common noun is a noun ("der Richter", "unser Koch", "im Mai")
DETERMINERS = word_set(
    """
    der die das den dem des ein eine einer einen einem eines kein keine keiner keinen keinem
    mein meine meinen meinem meiner meines dein deine deinen deinem deiner sein seine seinen
    seinem seiner seines ihr ihre ihren ihrem ihrer ihres unser unsere unseren unserem unserer
    unseres euer eure euren eurem eurer dieser diese dieses diesen diesem jener jene jenen jenem
    jeder jede jedes jeden jedem welcher welche welches welchen welchem manche manchen solche
    im am zum zur vom beim ins ans aufs übers ums alle allen aller alles viel viele vielen etwas
    nichts wenig wenige einige mehrere beide beiden als wie
    the a this that these those my your his her its our their every some any no
    bu şu bir her
    """
)

#: titles and forms of address: the capitalised word after one is a name ("Frau Holle", "Herr
#: Wolf"); "Herr der Lage" is not, as `der` is not capitalised
HONORIFICS = word_set(
    """
    herr herrn hr hr. hrn hrn. frau fr fr. dr dr. prof prof. doktor
    mr mr. mrs mrs. ms ms. miss mister madam sir
    bay bayan sayın
    господин господина господину господином госпожа госпожи госпоже госпожу г-н г-жа
    пан пана пану паном панові пані
    السيد السيدة سيد سيدة الأستاذ الأستاذة الاستاذ الاستاذة الدكتور الدكتورة د.
    """
)

#: roles written before a name ("Kollegin Schmidt", "Sachbearbeiter Yilmaz"): the next word is a
#: name only if it is not a German noun ("mit dem Chef Rücksprache halten")
ROLES = word_set(
    """
    kollege kollegin kollegen chef chefin sachbearbeiter sachbearbeiterin sachbearbeiterinnen
    mitarbeiter mitarbeiterin teamleiter teamleiterin abteilungsleiter abteilungsleiterin
    amtsleiter amtsleiterin fachbereichsleiter fachbereichsleiterin bereichsleiter bereichsleiterin
    vorgesetzte vorgesetzter berater beraterin fallmanager fallmanagerin vermittler vermittlerin
    bürgermeister bürgermeisterin oberbürgermeister oberbürgermeisterin dezernent dezernentin
    leiter leiterin sekretärin kassierer kassiererin hausmeister hausmeisterin
    colleague manager supervisor officer advisor adviser caseworker
    meslektaşım memur memure
    сотрудник сотрудница коллега начальник начальница співробітник співробітниця колега працівник
    працівниця начальниця
    الموظف الموظفة الزميل الزميلة المدير المديرة
    """
)

#: every word that is a title or role (never itself the name after one)
TITLE_WORDS = HONORIFICS | ROLES | word_set("professor professorin direktor direktorin dipl. ing. med.")

#: Turkish forms of address written after the name ("Ahmet Bey", "Ayşe Hanım")
POST_TITLES = word_set("bey beye beyin beyden hanım hanıma hanımın hanımdan hanim hoca hocam abla abi")

#: particles inside a name ("van der Dussen", "Ibn Sina", "عبد الله"): part of a name between
#: two of its words, never a name alone
CONNECTORS = word_set(
    "von van der den de del della di da du la le zu ten ter al el bin ibn abu ابن بن بنت أبو ابو عبد آل"
)

#: common German nouns (and a month) that are also frequent names: a name only beside a title or
#: another name ("Frau Sommer", "Thomas Koch"), never "im Sommer", "der Koch". The name-list
#: extraction finds most by their plural in the German dictionary; these are decided by hand.
NAME_NOUNS = word_set(
    """
    Wolf König Engel Sommer Winter Mai Rose Stern Koch Richter Fischer Müller Schneider Roman Iris
    Ernst August Mark Heide Linde Hahn Vogel Fuchs Kaiser Graf Berg Stein Busch
    Wald Bach Baum Herbst Frühling Mitte Lage Herr Frau Kind Mann Vater Mutter Bruder Schwester
    Onkel Tante Bürger Kunde Meister Sonne Himmel Glück Liebe Friede Frieden Hoffnung Ehre Treue
    Recht Ordnung Arbeit Amt Stadt Land Dorf Haus Garten Schule Kirche Markt Hof Post Bank Büro
    April Juni Juli März Januar Februar Oktober November Dezember Montag Freitag Sonntag Samstag
    Deutsch Englisch Türkisch Arabisch Russisch Ukrainisch Polnisch Französisch Italienisch Spanisch
    Excel Outlook Zoom Webex Google Microsoft Windows Office Apple Amazon Corona Covid
    Kita Deutschland Europa Euro Chef Team Service Info Personal Jobcenter Rathaus Berlin Hamburg
    München Köln Frankfurt Stuttgart Düsseldorf Leipzig Dresden Bremen Hannover Nürnberg
    Christ Türk Bauer Weber Wagner Schäfer Jäger Schmied Zimmermann Krämer Maler
    Schreiber Gärtner Kellner Pfarrer Lehrer Förster Schuster
    """
)

#: Turkish words that are also names ("Güzel bir hizmet", "Umut ediyorum"): a name only inside a
#: sentence (Turkish writes its nouns small, so a capital there marks a name)
TURKISH_WORDS = word_set(
    """
    güzel umut ümit deniz kaya demir çelik yıldız aslan aydın güneş bahar barış sevgi sevim hayat
    huzur nur doğan tekin şahin kartal kurt koç gül çiçek yılmaz özgür güven sabır şükür selam
    bilgi ışık ateş toprak yağmur bulut dağ tan ay gün kısmet başarı zafer uğur emin iyi çalışkan
    kibar nazik sakin cesur genel özel yeni eski büyük küçük uzun kısa hızlı yavaş mutlu memnun
    para mektup ev iş okul doktor hastane devlet şehir belediye kira
    """
)

#: Arabic words that are also names (جميل "beautiful", حسن "good", أمل "hope"): Arabic has no
#: capitals, so these are names only after a title or beside another name
ARABIC_WORDS = word_set(
    """
    جميل جميلة سعيد سعيدة حسن حسنة كريم كريمة أمل امل نور فرح صباح منى هدى سلام سلامة أمين امين
    أمينة امينة عادل لطيف لطيفة رحيم رحمة شريف صابر صبر ناصر نصر فاضل كامل كاملة طيب طيبة سالم
    سليم وفاء رجاء إيمان ايمان ضياء نجاح فائز فوز منير مؤمن وليد مجيد حميد محمود ممدوح حمد شكر
    شكرا عزيز عزيزة حبيب حبيبة غالي غالية نبيل نبيلة زين زينة حياة سعادة بشرى عيد خير خيري
    صافي صفاء هادي هادئ هادئة راضي رضا سهل سهلة يسر يسرى جديد قديم كبير صغير سريع سريعة بطيء
    ولد ولدي ابن ابني ابنتي بنت بنتي أم امي أمي أب ابي أبي أخ أخي أخت أختي زوج زوجي زوجة زوجتي عائلة
    صعب صعبة حساب حسابي بريد بريدي انتظار الانتظار تحسين خدمة الخدمة موظف مكتب موعد طلب ورقة أوراق
    رسالة مال دفع مرحبا أهلا اهلا طويل طويلة قصير جيد جيدة ممتاز ممتازة سيء سيئة رائع رائعة لطيفا
    مساعدة مساعد مدير مدينة بلدية دائرة مركز وقت الوقت يوم اليوم أسبوع شهر سنة عمل العمل شارع بيت
    منزل سيارة هاتف رقم ملف قانون حق عدل أمان سلامة صحة مستشفى مدرسة روضة جامعة ألمانيا المانيا
    """
)

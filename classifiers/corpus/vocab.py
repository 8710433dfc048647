"""Names, places and organisations the generated mail is filled with (fictitious, French-sounding)."""

from __future__ import annotations

FIRST_NAMES = (
    "Marie", "Jean", "Françoise", "Pierre", "Aïcha", "Karim", "Sophie", "Nicolas", "Isabelle", "Mohamed", "Claire",
    "Antoine", "Nathalie", "Julien", "Camille", "Thomas", "Léa", "Hugo", "Chloé", "Lucas", "Fatima", "Yannick",
    "Monique", "Gérard", "Sylvie", "Éric", "Inès", "Mathis", "Océane", "Rémi", "Hélène", "Jean-Pierre", "Anne-Laure",
    "Brigitte", "Mehdi", "Nadia", "Bernard", "Élodie", "Kevin", "Manon", "Loïc", "Gwenaëlle", "Théo", "Zoé",
)
SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard",
    "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Le Goff", "Benali",
    "Haddad", "Nguyen", "Le Gall", "Guérin", "Rousseau", "Lemaire", "Garnier", "Chevalier", "Da Silva", "Kerbrat",
)
STREET_KINDS = ("rue", "avenue", "boulevard", "place", "chemin", "allée", "impasse", "route", "square", "quai")
STREET_NAMES = (
    "des Lilas", "de la République", "Victor Hugo", "du Moulin", "des Écoles", "Jean Jaurès", "de la Gare",
    "du Général de Gaulle", "des Tilleuls", "Pasteur", "de la Mairie", "des Mésanges", "du Stade", "de la Paix",
    "Jules Ferry", "des Peupliers", "de l'Église", "du Marché", "Émile Zola", "des Acacias", "de Bretagne",
    "Aristide Briand", "des Vignes", "de la Libération", "Louise Michel", "du Château", "des Cerisiers",
)
TOWNS = (
    ("44800", "Saint-Herblain"), ("44000", "Nantes"), ("44300", "Nantes"), ("44400", "Rezé"),
    ("44700", "Orvault"), ("44230", "Saint-Sébastien-sur-Loire"), ("69003", "Lyon"), ("35000", "Rennes"),
    ("44600", "Saint-Nazaire"), ("49000", "Angers"), ("75011", "Paris"), ("44220", "Couëron"),
)
COMMUNE = ("Mairie de Saint-Herblain", "2 rue de l'Hôtel de Ville", "44800 Saint-Herblain")
COMPANIES = (
    "Électricité Générale de l'Ouest SARL", "Bureau Vallée Nantes", "Transports Loire Atlantique SAS",
    "Espaces Verts Services", "Imprimerie du Centre", "Restauration Collective Ouest", "Signalisation Moderne SA",
    "BTP Travaux Publics Herblinois", "Fournitures Scolaires Dupuis", "Informatique & Réseaux 44",
    "Nettoyage Pro Atlantique", "Quincaillerie Martin et Fils",
)
ASSOCIATIONS = (
    "Les Amis du Jardin Partagé", "Union Sportive Herblinoise", "Club de l'Âge d'Or", "Théâtre des Trois Rives",
    "Association des Parents d'Élèves Jules Verne", "Comité des Fêtes du Bourg", "Secours Solidaire 44",
    "Chorale À Cœur Joie", "Judo Club Atlantique", "Les Randonneurs de l'Estuaire",
)
SCHOOLS = (
    "école maternelle Jules Verne", "école élémentaire Jean Moulin", "école primaire Louise Michel",
    "école maternelle Les Tilleuls", "groupe scolaire Condorcet", "école élémentaire Marie Curie",
)
LEVELS = ("petite section", "moyenne section", "grande section", "CP", "CE1", "CE2", "CM1", "CM2")
PLACES = ("Nantes", "Saint-Herblain", "Rennes", "Lyon", "Angers", "Brest", "Quimper", "Vannes", "Tours", "Paris")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
ORGANISATIONS = (
    "Préfecture de la Loire-Atlantique", "Conseil départemental", "Office de tourisme de l'Estuaire",
    "Nantes Métropole", "Caisse d'allocations familiales", "La Poste", "Syndicat mixte des transports",
    "Chambre de commerce et d'industrie", "Agence régionale de santé", "Centre de gestion de la fonction publique",
)
